-- spectral_norm: as bench/relay/spectral_norm.relay (float arithmetic in
-- the same order; Lua tables are 1-based, so index k is [k + 1] here).
package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local fmt = require("relay_print").fmt

local function a(i, j) return 1 / ((i + j) * (i + j + 1) / 2 + i + 1) end

local function mul_av(v, out, n)
  for i = 0, n - 1 do
    local s = 0
    for j = 0, n - 1 do s = s + a(i, j) * v[j+1] end
    out[i+1] = s
  end
end

local function mul_atv(v, out, n)
  for i = 0, n - 1 do
    local s = 0
    for j = 0, n - 1 do s = s + a(j, i) * v[j+1] end
    out[i+1] = s
  end
end

local function mul_atav(v, out, tmp, n) mul_av(v, tmp, n); mul_atv(tmp, out, n) end

local function zeros(n)
  local z = {}
  for i = 0, n - 1 do z[#z + 1] = 0 end
  return z
end

local n = 200 -- bench:size
local u = zeros(n); local v = zeros(n); local tmp = zeros(n)
for i = 1, n do u[i] = 1 end
for i = 0, 9 do mul_atav(u, v, tmp, n); mul_atav(v, u, tmp, n) end
local vbv = 0; local vv = 0
for i = 1, n do vbv = vbv + u[i] * v[i]; vv = vv + v[i] * v[i] end
print(fmt(math.sqrt(vbv / vv)))
