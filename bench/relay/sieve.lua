-- sieve: as bench/relay/sieve.relay (a table of flags grown by appending;
-- the same loops; Lua tables are 1-based, so index k is [k + 1] here).
package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local fmt = require("relay_print").fmt

local function sieve(n)
  local flags = {}
  for i = 0, n - 1 do flags[#flags + 1] = 1 end
  flags[1] = 0
  flags[2] = 0
  local p = 2
  while p * p < n do
    if flags[p+1] == 1 then
      local m = p * p
      while m < n do flags[m+1] = 0; m = m + p end
    end
    p = p + 1
  end
  return flags
end

local n = 2000000 -- bench:size
local flags = sieve(n)
local count = 0; local sum = 0
for i = 0, n - 1 do
  if flags[i+1] == 1 then count = count + 1; sum = sum + i end
end
print(fmt(count) .. " " .. fmt(sum))
