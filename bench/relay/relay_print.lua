-- relay_print: numbers printed the way Relay's print does (integral values
-- below 2^53 without a decimal point, others as the shortest round-trip
-- %g), shared by the Lua reference programs.
local M = {}

function M.fmt(x)
  if x == math.floor(x) and math.abs(x) < 2^53 then
    return string.format("%.0f", x)
  end
  for p = 1, 17 do
    local s = string.format("%." .. p .. "g", x)
    if tonumber(s) == x then return s end
  end
  return string.format("%.17g", x)
end

return M
