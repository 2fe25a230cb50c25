/**
 * Latent control of an audio generative model, Esling et al. (notebook 09, `bp.latent`): the note
 * VAE (β-VAE and attribute-regularised), the RealNVP flow over its latent space, and the contrastive
 * gesture–sound embedding.
 *
 * Public names drop the topic prefix that the declarations carry (`initTacotron2` is
 * `bp.tacotron.init`): inside `lib/` the long names keep imports unambiguous.
 */
export {
  initLatentFlowParams as initFlowParams,
  latentFlowForward as flowForward,
  latentFlowInverse as flowInverse,
  latentFlowBackward as flowBackward,
  latentFlowLoss as flowLoss,
  latentFlowNll as flowNll,
  standardNormalNll,
  trainLatentFlow as trainFlow,
  LatentFlowParams,
  LatentFlowGrads,
  FlowAnchor,
  TrainLatentFlowOptions,
} from './flow';
export * from './gestureSound';
export * from './noteVae';
