# mandelbrot: as bench/relay/mandelbrot.relay (float arithmetic in the same
# order; loop counters are Python ints, converted exactly).


def mandelbrot(width, height):
    result = []
    for y in range(height):
        for x in range(width):
            c_re = (x - width / 2.0) * 4.0 / width
            c_im = (y - height / 2.0) * 4.0 / height
            z_re = 0.0
            z_im = 0.0
            iterations = 0
            for i in range(100):
                if z_re * z_re + z_im * z_im > 4.0:
                    break
                temp = z_re * z_re - z_im * z_im + c_re
                z_im = 2.0 * z_re * z_im + c_im
                z_re = temp
                iterations = iterations + 1
            result.append(iterations)
    return result


def fmt(x):
    if x == int(x) and abs(x) < 2**53:
        return "%d" % x
    return repr(float(x))


width = 400; height = 300  # bench:size
m = mandelbrot(width, height)
total = 0
for v in m:
    total = total + v
print(fmt(len(m)), fmt(total))
