// GraphTestUtil: what the graph test files share.
#pragma once

#include "kiln/tensor/Tensor.h"

#include <gtest/gtest.h>

#include <memory>

namespace kiln::tensor::test {

/// A one-thread engine, so that plans and results do not depend on the
/// machine's core count.
inline std::unique_ptr<Engine> engine() {
  EngineOptions o;
  o.threads = 1;
  auto e = Engine::create(o);
  EXPECT_TRUE(e.ok());
  return std::move(*e);
}

} // namespace kiln::tensor::test
