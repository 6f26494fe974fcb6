/**
 * Java Operator SDK reconcilers (Quarkus) that turn MM1Training and MM1Eval into ConfigMap, headless Service and Indexed Job, and keep their status true.
 */
package dev.mm1.operator;
