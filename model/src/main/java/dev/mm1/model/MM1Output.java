package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * One forward pass of {@link MM1Model} on a batch: logits and each loss term, reported separately.
 *
 * @param logits (B, L, V) over the assembled sequences
 * @param loss what to minimise: lmLoss + auxLossCoefficient · loadBalanceLoss + zLossCoefficient · zLoss
 * @param lmLoss mean next-token cross-entropy over target positions
 * @param loadBalanceLoss mean auxiliary load-balancing loss over MoE layers (null for a dense decoder)
 * @param zLoss mean router z-loss over MoE layers (null for a dense decoder)
 * @param expertLoad per MoE layer, each expert's share of the routed (token, expert) assignments
 * @param droppedTokens assignments dropped by the MoE capacity factor
 * @param targets positions that contributed to lmLoss
 */
public record MM1Output(NDArray logits, NDArray loss, NDArray lmLoss, NDArray loadBalanceLoss, NDArray zLoss,
    List<float[]> expertLoad, int droppedTokens, int targets) {}
