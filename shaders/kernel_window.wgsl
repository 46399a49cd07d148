// The window of a k×k convolution as override constants: kernel size, stride and
// dilation, so the tap loops unroll and neighbouring outputs' loads of the same
// input column (stride 1) are the same address, which compilers merge.

override KH: u32 = 3u;
override KW: u32 = 3u;
override SH: u32 = 1u;
override SW: u32 = 1u;
override DH: u32 = 1u;
override DW: u32 = 1u;

// Marks an input row outside the image.
const OUTSIDE_ROW = 0xffffffffu;

// The pixel index of the first pixel of input row iy of image n, or OUTSIDE_ROW
// when iy is above or below the image (its taps read zeros).
fn windowRow(n: u32, iy: i32) -> u32 {
  if (iy < 0 || iy >= i32(params.inH)) {
    return OUTSIDE_ROW;
  }
  return (n * params.inH + u32(iy)) * params.inW;
}
