/**
 * The MM1 network in DJL: ViT image encoder, vision-language connectors, dense and mixture-of-experts decoder, presets, tokenizer and safetensors checkpoint I/O.
 */
package dev.mm1.model;
