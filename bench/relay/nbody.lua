-- nbody: as bench/relay/nbody.relay (float arithmetic in the same order;
-- Lua tables are 1-based, so index k of Relay is [k + 1] here).
local sqrt = math.sqrt

package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local fmt = require("relay_print").fmt

local function energy(pos, vel, mass, n)
  local e = 0.0
  for i = 0, n - 1 do
    local vx = vel[3*i+1]; local vy = vel[3*i+2]; local vz = vel[3*i+3]
    e = e + 0.5 * mass[i+1] * (vx*vx + vy*vy + vz*vz)
    for j = i + 1, n - 1 do
      local dx = pos[3*i+1] - pos[3*j+1]
      local dy = pos[3*i+2] - pos[3*j+2]
      local dz = pos[3*i+3] - pos[3*j+3]
      e = e - mass[i+1] * mass[j+1] / sqrt(dx*dx + dy*dy + dz*dz)
    end
  end
  return e
end

local function advance(pos, vel, mass, n, dt)
  for i = 0, n - 1 do
    for j = i + 1, n - 1 do
      local dx = pos[3*i+1] - pos[3*j+1]
      local dy = pos[3*i+2] - pos[3*j+2]
      local dz = pos[3*i+3] - pos[3*j+3]
      local d2 = dx*dx + dy*dy + dz*dz
      local mag = dt / (d2 * sqrt(d2))
      vel[3*i+1] = vel[3*i+1] - dx * mass[j+1] * mag
      vel[3*i+2] = vel[3*i+2] - dy * mass[j+1] * mag
      vel[3*i+3] = vel[3*i+3] - dz * mass[j+1] * mag
      vel[3*j+1] = vel[3*j+1] + dx * mass[i+1] * mag
      vel[3*j+2] = vel[3*j+2] + dy * mass[i+1] * mag
      vel[3*j+3] = vel[3*j+3] + dz * mass[i+1] * mag
    end
  end
  for k = 1, 3 * n do pos[k] = pos[k] + dt * vel[k] end
end

local pos = {0.0, 0.0, 0.0, 4.84, -1.16, -0.10, 8.34, 4.12, -0.40, 12.89, -15.11, -0.22, 15.37, -25.91, 0.17}
local vel = {0.0, 0.0, 0.0, 0.606, 2.81, -0.02, -1.01, 1.82, 0.008, 1.08, 0.868, -0.01, 0.979, 0.594, -0.034}
local mass = {39.47, 0.037, 0.011, 0.0017, 0.002}
local steps = 50000 -- bench:size
print(fmt(energy(pos, vel, mass, 5)))
for step = 0, steps - 1 do advance(pos, vel, mass, 5, 0.01) end
print(fmt(energy(pos, vel, mass, 5)))
