#!/usr/bin/env python3
"""Caption-like text made to exercise the PTB tokenizer: COCO-style words with punctuation,
abbreviations, contractions, numbers, currencies, quotes, brackets, tags, URLs, smileys, unicode
letters and odd spacing, deterministic by seed. Usage: fuzz_captions.py COUNT SEED
"""
import random, json
NOUNS="man woman person people dog cat bird horse cow sheep elephant giraffe zebra bear train bus car truck bike motorcycle airplane boat plate pizza sandwich cake banana apple orange broccoli table chair couch bed toilet sink kitchen room street road sign clock building tree field grass beach ocean wave surfboard skateboard snowboard skis kite frisbee ball bat glove racket umbrella bench hydrant laptop phone keyboard mouse tv television remote book vase scissors teddy bear child kid boy girl baby player team group couple crowd window door wall floor sky cloud snow water river lake mountain hill park city sidewalk parking lot fence pole light traffic signal stop sign shirt hat jacket tie glasses suitcase bag backpack cup bowl bottle glass fork knife spoon oven refrigerator microwave desk computer screen picture photo image".split()
ADJ="red blue green yellow white black brown orange purple pink gray grey large small big little tall short old young wooden metal plastic busy empty crowded sunny cloudy snowy wet dry open closed colorful striped dark bright".split()
VERB="sitting standing walking running riding holding eating playing flying laying lying looking watching parked driving crossing jumping swinging throwing catching carrying wearing talking smiling posing waiting".split()
PREP="on in at near next to under over behind in front of on top of beside with by across along through inside outside".split()
DET="a the an two three some several many a few a couple of this that".split()
ABBR=["Mr.","Mrs.","Ms.","Dr.","St.","Mt.","Ave.","Rd.","Blvd.","Jr.","Sr.","Co.","Inc.","Ltd.","Corp.","etc.","vs.","e.g.","i.e.","U.S.","U.K.","D.C.","L.A.","N.Y.","T.V.","t.v.","a.m.","p.m.","A.M.","P.M.","No.","no.","Fig.","Jan.","Feb.","Mar.","Dec.","Mon.","Fri.","Gen.","Col.","Rev.","Sgt.","Capt.","Prof.","Dept.","Univ.","Calif.","Wash.","Mass.","Miss.","Ill.","Pa.","La.","Ore.","Tex.","Del.","Fla.","Ga.","Va.","Ph.D.","Ed.D.","a.k.a.","approx.","ca.","art.","pp.","op.","sq.","ft.","lbs.","oz.","min.","hr.","vol.","est.","ext.","tel.","Ste.","Pvt.","Hon.","Sen.","Rep.","Gov.","Lt.","Maj.","Cpl.","Adm.","Det.","wash.","ill.","miss.","mass.","gen.","col.","rev.","art."]
ENDWORDS=["no","art","wash","ill","miss","mass","co","gen","col","rev","det","sq","st","mt","ft","dr","mr","etc","inc","b","a","i","x","tv","dc","ok","pa","la","ore","tex","del","ind","mon","fri","wed","mar","dec","jan","ave","rd","hon","sen","rep","gov","est","ext","tel","ste","pvt","cie","adj","adv","ens","jos","maj","spc","sfc","alex","capt","prof","pres","brig","natl","elec","dept","univ","corp","bros","blvd","bldg","calif","mich","minn","mont","tenn","conn","colo","okla","penn","kans","ariz","wisc","sept","tues","thurs","the","ok"]
CONTR=["isn't","aren't","wasn't","don't","doesn't","didn't","can't","won't","couldn't","it's","that's","there's","he's","she's","what's","I'm","we're","they're","you're","I've","we've","I'll","you'll","he'd","they'd","let's","ain't","gonna","wanna","gotta","cannot","y'all","o'clock","ma'am","rock 'n' roll","'90s","80's","1990's","'em","'cause","'til","'tis","'twas","c'mon","d'angelo","O'Neil","o'er","ne'er","it’s","don’t","can’t","I’m","dog’s","isn’t","we’re","they’ll","she’d"]
NUMS=["1","2","3","10","12","100","1000","1,000","2,500","3.5","0.5",".5","1/2","3/4","1-1/2","1 1/2","10:30","12:00","9:45am","3pm","5 pm","24/7","9/11","2nd","3rd","1st","4th","10th","1990s","'80s","50%","10 %","$5","$5.99","$ 100","5$","US$5","€10","£20","¥500","¢50","#1","# 2","no. 5","No.5","No. 9","fig. 3","pp. 12","ca. 1900","art. 7","+5","-3","-2.5","1-2","4x4","3-D","2-way","10-year-old","18-wheeler","100m","5k","7-11","1.5x","12/25/2020","555-1234","(555) 555-1234","555.123.4567","3x3","4:3","16:9","1:1","2.0","v2","5°","90°F","½","¼","¾","⅓","2²","½-hour","5-10","5 - 10","5--10","5–10","1980-1990","5'10\"","6'","12\""]
HYPH=["black-and-white","t-shirt","x-ray","well-known","one-way","hot-dog","double-decker","e-mail","mid-air","up-close","close-up","self-portrait","man-made","three-story","four-way","all-you-can-eat","re-enter","co-op","Wi-Fi","walkie-talkie","U.S.-made","pro-football","anti-war","a-frame","kid-friendly","non-stop"]
SYM=["&","and/or","w/","w/o","a/b","on/off","*","**","+","=","<",">","<<",">>","|","~","^","_","\\","@","#","%","$","&amp;","AT&T","S&P","R&B","Q&A","A&W","b&w","B&W","°","×","·","•","©","®","™","§","†","±","÷","→","♥","★","☺","←","≥","€","£","¥","¢","…","–","—","―","‐","‑","\u00ad","\u00a0"]
UNI=["café","naïve","résumé","São Paulo","Zürich","Straße","Ærø","smørrebrød","İstanbul","Москва","東京","日本","한국","ΑΒΓ","piñata","jalapeño","crème brûlée","Beyoncé","Pokémon","façade","mañana","Ångström","cliché","e\u0301","n\u0303o","ﬁne","Ｆｕｌｌ","ｗｉｄｔｈ"]
URLS=["www.example.com","google.com","http://example.com/a?b=c","https://x.org/path","foo@bar.com","@user","#hashtag","#1","C++","C#","file.jpg","image.png","a.jpg","README.txt","index.html","mom's.com"]
SMILES=[":)",":(",":-)",";)",":D",":P","<3","^_^","-_-","o_O","T_T",":-D",":/",";-)","=)",":O",":o","xD","XD"]
QUOTES=[('"','"'),("'","'"),("“","”"),("‘","’"),("``","''"),("«","»"),("„","“"),("‹","›"),("`","'"),('""','""'),("'","")]
BRACK=[("(",")"),("[","]"),("{","}"),("(",""),("",")"),("<",">")]
PUNCT_END=[".",".",".","","","!","?","?!","!!","...","…",". . .",";",":",",",".)",".'",'."',".”","'.",'".',"..","....","!.","?.","-","--"]
def word(r):
    k=r.random()
    if k<0.35: return r.choice(NOUNS)
    if k<0.5: return r.choice(ADJ)
    if k<0.6: return r.choice(VERB)
    if k<0.72: return r.choice(PREP)
    if k<0.82: return r.choice(DET)
    if k<0.85: return r.choice(CONTR)
    if k<0.88: return r.choice(NUMS)
    if k<0.9: return r.choice(HYPH)
    if k<0.92: return r.choice(ABBR)
    if k<0.935: return r.choice(SYM)
    if k<0.95: return r.choice(UNI)
    if k<0.96: return r.choice(URLS)
    if k<0.965: return r.choice(SMILES)
    if k<0.975: return r.choice(NOUNS)+r.choice(["'s","s'","'","’s","'S"])
    if k<0.985: return r.choice(ENDWORDS)+"."
    return r.choice(NOUNS)+r.choice([".",",",";",":","!","?","-","/","_","'","(",")","&","+","*","@","#"])+r.choice(NOUNS+ENDWORDS)
def caption(r):
    n=r.randint(1,18)
    ws=[word(r) for _ in range(n)]
    # wrap some words
    for _ in range(r.randint(0,2)):
        if not ws: break
        i=r.randrange(len(ws)); j=min(len(ws),i+r.randint(1,3))
        o,c=r.choice(QUOTES+BRACK)
        ws[i]=o+ws[i]; ws[j-1]=ws[j-1]+c
    # inner punctuation
    for _ in range(r.randint(0,2)):
        if len(ws)>1:
            i=r.randrange(len(ws)-1); ws[i]+=r.choice([",",",",";",":"," -"," --"," ,","...",".",".","!","?"])
    # casing
    k=r.random()
    if k<0.55 and ws: ws[0]=ws[0][:1].upper()+ws[0][1:]
    elif k<0.6: ws=[w.upper() for w in ws]
    elif k<0.65: ws=[w.capitalize() for w in ws]
    for _ in range(r.randint(0,2)):
        if ws:
            i=r.randrange(len(ws)); ws[i]=ws[i].capitalize() if r.random()<0.7 else ws[i].upper()
    sep=lambda: r.choice([" "]*30+["  ","\t","\u00a0"," \n "])
    s=ws[0] if ws else ""
    for w in ws[1:]: s+=sep()+w
    s+=r.choice(PUNCT_END)
    if r.random()<0.05: s=" "+s
    if r.random()<0.05: s=s+" "
    return s
def generate(n, seed):
    r=random.Random(seed)
    return [caption(r) for _ in range(n)]
if __name__=='__main__':
    import sys
    for line in generate(int(sys.argv[1]), int(sys.argv[2])):
        print(line.replace('\n', ' '))
