/**
 * The {@code mm1.dev/v1alpha1} custom resources: {@link dev.mm1.api.v1alpha1.MM1Training} and
 * {@link dev.mm1.api.v1alpha1.MM1Eval}.
 *
 * <p>Types only, no logic. Every field's one-line Javadoc becomes its description in the generated
 * CRD (what {@code kubectl explain} shows), and every field initializer becomes its schema default;
 * see {@code CrdGenerator} in this module's tests.
 */
package dev.mm1.api.v1alpha1;
