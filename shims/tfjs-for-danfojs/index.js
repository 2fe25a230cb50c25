// danfojs-node hard-requires '@tensorflow/tfjs-node' (native, downloads libtensorflow at install).
// package.json `overrides` points danfojs at this shim so it shares the project's single
// @tensorflow/tfjs instance (one engine, one backend) instead.
module.exports = require('@tensorflow/tfjs');
