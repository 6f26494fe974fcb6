package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * One micro-batch's training pass ({@link MM1Model#trainingLoss}).
 *
 * @param objective what to call {@code backward} on: its gradient is that of lossScale · (sum of
 *     the cross-entropy over the targets) plus the scaled MoE auxiliary losses; its value means nothing
 * @param lossSum the cross-entropy summed over this micro-batch's targets (nats)
 * @param targets target positions in this micro-batch
 * @param loadBalanceLoss mean load-balancing loss over MoE layers (NaN for a dense decoder)
 * @param zLoss mean router z-loss over MoE layers (NaN for a dense decoder)
 * @param expertLoad per MoE layer, each expert's share of the routed assignments
 * @param droppedTokens (token, expert) assignments dropped by the capacity factor, per MoE layer
 */
public record TrainingLoss(NDArray objective, double lossSum, int targets, float loadBalanceLoss, float zLoss,
    List<float[]> expertLoad, List<Integer> droppedTokens) {}
