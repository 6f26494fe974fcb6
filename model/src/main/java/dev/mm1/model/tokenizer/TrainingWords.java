package dev.mm1.model.tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The English word list the bundled byte-level BPE is trained on, with a weight per word: the
 * synthetic "shapes world" vocabulary (colours, shapes, sizes, positions, counting, spatial
 * relations, question words, numbers) weighs most, so every such word becomes a single token; the
 * general English words follow. Words that are not here still encode, byte by byte at worst.
 */
final class TrainingWords {
  private TrainingWords() {}

  static final String COLOURS =
      "red green blue yellow orange purple pink brown black white gray grey cyan magenta teal violet"
          + " gold silver navy maroon olive lime beige turquoise indigo crimson colour color colours colors"
          + " coloured colored dark light bright pale";
  static final String SHAPES =
      "circle circles square squares triangle triangles rectangle rectangles star stars hexagon hexagons"
          + " pentagon pentagons diamond diamonds ellipse ellipses oval ovals cross crosses heart hearts ring"
          + " rings cube cubes sphere spheres cylinder cylinders cone cones dot dots line lines arrow arrows"
          + " shape shapes object objects polygon polygons disk disc blob box boxes octagon";
  static final String SIZES =
      "small large big tiny huge medium little giant size sizes smaller larger bigger smallest largest"
          + " biggest same different tall short wide narrow long thin thick";
  static final String POSITIONS =
      "left right top bottom center centre middle above below under over upper lower corner corners next"
          + " beside near nearby far between behind front back inside outside around across along edge edges"
          + " side sides half image picture scene canvas background foreground position located placed"
          + " leftmost rightmost topmost closest farthest adjacent touching overlapping row column grid";
  static final String COUNTING =
      "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
          + " sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety"
          + " hundred thousand first second third fourth fifth last count number numbers many much more"
          + " less most least fewer several both each every all none no any only single pair total times";
  static final String QUESTIONS =
      "what which where who whom whose when why how is are was were does do did can could there here this"
          + " that these those it its they them their how many kind type answer question yes true false"
          + " describe caption shows show showing contains contain containing has have having see seen";

  /** Common English words, most frequent first in spirit (not in an exact ranking). */
  static final String GENERAL =
      "the of and to a in for on with as by at from be been being or an not but if so then than too very"
          + " also just about into out up down off again further once he she we you i me my your our his her"
          + " him us mine yours ours theirs himself herself itself themselves myself ourselves yourself will"
          + " would shall should may might must need needs make makes made making take takes took taken"
          + " get gets got give gives gave given go goes went gone going come comes came coming know knows"
          + " knew known think thinks thought look looks looked looking want wants wanted use uses used using"
          + " find finds found tell tells told ask asks asked work works worked working seem seems seemed feel"
          + " feels felt try tries tried leave leaves left call calls called keep keeps kept let lets begin"
          + " began begun start started help helps helped talk talked turn turned run runs ran move moved"
          + " like liked live lived believe hold held bring brought happen happened write wrote written sit"
          + " sat stand stood lose lost pay paid meet met include included continue set sets learn learned"
          + " change changed lead led understand understood watch watched follow followed stop stopped create"
          + " created speak spoke read reads allow allowed add added spend spent grow grew open opened walk"
          + " walked win won offer offered remember love loved consider appear appeared buy bought wait served"
          + " die died send sent expect build built stay fall fell cut reach kill remain suggest raise pass"
          + " sell sold require report decide pull play played plays say says said time year years people way"
          + " day days man men woman women child children world life hand hands part place case week company"
          + " system program group problem fact point home water room mother father area money story month"
          + " lot book books eye eyes job word words business issue government night friend family car city"
          + " country state school student students teacher house name names end head heads door road street"
          + " tree trees table chair window wall floor sky sun moon cloud clouds rain snow grass field river"
          + " sea lake mountain hill stone rock sand fire air tree flower flowers leaf food bread apple ball"
          + " cat dog dogs cats bird birds horse fish cow animal animals person persons boy girl baby body face"
          + " hair mouth nose ear arm leg foot feet paper pen phone computer screen model models data text"
          + " train training test tests result results value values example examples set sets list question"
          + " questions good new old great high low own other another such even well back still way only"
          + " long little important public bad able early young late hard real best better sure free full"
          + " special easy clear recent certain personal open red whole possible simple strong true false"
          + " final main current close available likely hot cold warm cool fast slow quick empty heavy soft"
          + " round flat straight curved sharp smooth rough clean dirty happy sad beautiful nice fine new now"
          + " today tomorrow yesterday always never often sometimes usually already soon later ever together"
          + " however because while although though since until unless whether before after during without"
          + " within through against toward towards upon among per via like unlike plus minus equal equals"
          + " morning evening afternoon hour hours minute minutes second seconds moment moments idea ideas"
          + " thing things something nothing anything everything someone anyone everyone nobody somewhere"
          + " nowhere everywhere away ago yet rather quite almost enough maybe perhaps probably really"
          + " actually simply exactly nearly mostly generally finally especially instead otherwise indeed"
          + " the a an left right sits sitting lies lying standing placed appears appearing visible hidden"
          + " larger smaller drawn painted filled outlined solid striped plain pattern texture made of contains"
          + " photo photograph photos drawing illustration diagram view close shot man woman people group"
          + " person street building buildings car cars bus truck bike bicycle road sign signs train plane"
          + " boat ship kitchen bathroom bedroom living table plate bowl cup glass bottle pizza cake sandwich"
          + " banana orange apple fruit vegetables grass field beach ocean wave waves snow ski skis skateboard"
          + " surfboard tennis baseball soccer frisbee kite umbrella bench clock sink toilet bed couch laptop"
          + " keyboard mouse remote bear elephant giraffe zebra sheep wearing holding riding eating playing"
          + " walking flying parked sitting looking standing shirt hat jacket dress black white";

  /**
   * Every training word with its weight. Shapes-world words weigh 50, general words 5; the
   * numbers 0–1000 weigh 20 so common counts and coordinates are one token each.
   */
  static Map<String, Integer> weighted() {
    var words = new LinkedHashMap<String, Integer>();
    for (var list : List.of(COLOURS, SHAPES, SIZES, POSITIONS, COUNTING, QUESTIONS)) {
      for (var word : split(list)) {
        words.merge(word, 50, Math::max);
      }
    }
    for (var word : split(GENERAL)) {
      words.merge(word, 5, Math::max);
    }
    for (int n = 0; n <= 1000; n++) {
      words.merge(Integer.toString(n), n <= 100 ? 20 : 3, Math::max);
    }
    return words;
  }

  private static List<String> split(String list) {
    var words = new ArrayList<String>();
    for (var word : list.strip().split("\\s+")) {
      words.add(word);
    }
    return words;
  }
}
