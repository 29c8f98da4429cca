// Package flow computes dense optical flow between video frames on the CPU,
// renders it as colour images, and interleaves flow images with RGB frames
// as AnimalMotionCLIP feeds them to its classifiers.
//
// Its one job is motion as images. The paper computes flow with RAFT (Teed
// and Deng, 2020), a network whose trained weights cannot be obtained on
// this project's offline machines; this package substitutes a classical
// variational method, pyramidal Horn–Schunck with warping (Horn and
// Schunck, 1981, solved coarse to fine with image warping as in Brox et al.,
// 2004, with a Charbonnier data term solved by reweighting, and a median
// filter of the flow after each warp as in Sun, Roth and Black, 2010). It is slower and less accurate than RAFT near motion
// boundaries, but it is a real dense flow: the tests measure its end-point
// error on frames whose true flow is known (NOTES.md lists the errors and
// the time per frame pair: about 60 CPU-ms at 224x224).
//
// Flow images follow the colour-wheel convention of the Middlebury benchmark
// (Baker et al., 2011), which RAFT's flow_viz also follows: hue is the
// direction of motion, saturation its magnitude relative to a maximum
// (ColorWheel, Render).
//
// Interleave orders frames as the paper does: I1 F1 I2 F2 ..., where F_i is
// the flow from frame I_i to the video's next frame I_i+1 (PairFor).
package flow
