-- mandelbrot: as bench/relay/mandelbrot.relay (float arithmetic in the same
-- order; loop counters are Lua integers, converted exactly).
package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local fmt = require("relay_print").fmt

local function mandelbrot(width, height)
  local result = {}
  for y = 0, height - 1 do
    for x = 0, width - 1 do
      local c_re = (x - width / 2.0) * 4.0 / width
      local c_im = (y - height / 2.0) * 4.0 / height
      local z_re = 0.0
      local z_im = 0.0
      local iterations = 0
      for i = 0, 99 do
        if z_re * z_re + z_im * z_im > 4.0 then break end
        local temp = z_re * z_re - z_im * z_im + c_re
        z_im = 2.0 * z_re * z_im + c_im
        z_re = temp
        iterations = iterations + 1
      end
      result[#result + 1] = iterations
    end
  end
  return result
end

local width = 400; local height = 300 -- bench:size
local m = mandelbrot(width, height)
local total = 0
for _, v in ipairs(m) do total = total + v end
print(fmt(#m) .. " " .. fmt(total))
