-- fib: naive doubly recursive Fibonacci, as bench/relay/fib.relay.
package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local fmt = require("relay_print").fmt

local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local n = 30 -- bench:size
print(fmt(fib(n)))
