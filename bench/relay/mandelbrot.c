// mandelbrot: as bench/relay/mandelbrot.relay, in doubles; the result array
// grows like a Relay array (doubling capacity).
#include "relay_print.h"

static array mandelbrot(double width, double height) {
  array result = {0, 0, 0};
  for (double y = 0; y < height; y++) {
    for (double x = 0; x < width; x++) {
      double c_re = (x - width / 2.0) * 4.0 / width;
      double c_im = (y - height / 2.0) * 4.0 / height;
      double z_re = 0.0, z_im = 0.0;
      double iterations = 0;
      for (double i = 0; i < 100; i++) {
        if (z_re * z_re + z_im * z_im > 4.0)
          break;
        double temp = z_re * z_re - z_im * z_im + c_re;
        z_im = 2.0 * z_re * z_im + c_im;
        z_re = temp;
        iterations = iterations + 1;
      }
      push(&result, iterations);
    }
  }
  return result;
}

int main(void) {
  double width = 400, height = 300; // bench:size
  array m = mandelbrot(width, height);
  double total = 0;
  for (long k = 0; k < m.len; k++)
    total = total + m.data[k];
  RELAY_PRINT((double)m.len, total);
  free(m.data);
  return 0;
}
