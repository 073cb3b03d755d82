-- fib: naive doubly recursive Fibonacci, as bench/relay/fib.relay.
local function fmt(x)
  if x == math.floor(x) and math.abs(x) < 2^53 then
    return string.format("%.0f", x)
  end
  for p = 1, 17 do
    local s = string.format("%." .. p .. "g", x)
    if tonumber(s) == x then return s end
  end
  return string.format("%.17g", x)
end

local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local n = 30 -- bench:size
print(fmt(fib(n)))
