// OsrChoice: which active loop of a hot call on-stack replacement enters.
//
// See OsrChoice.h. A loop's progress is read from its OsrLoop record, which
// the interpreter keeps up to date anyway, so watching costs the
// interpreter nothing between the router's questions.
#include "OsrChoice.h"

#include "relay/syntax/AST.h"
#include "kiln/runtime/Abi.h"

#include <algorithm>

#include <vector>

namespace kiln::relay {
namespace {

bool counted(const OsrLoop &r) {
  return r.loop->kind == Stmt::Kind::ForRange ||
         r.loop->kind == Stmt::Kind::ForEach;
}

double position(const OsrLoop &r) {
  return r.loop->kind == Stmt::Kind::ForRange ? r.counter : double(r.index);
}

/// Where a counted loop ends (its array may still grow).
double end(const OsrLoop &r) {
  return r.loop->kind == Stmt::Kind::ForRange
             ? r.end
             : double(static_cast<const kiln_rt_array *>(r.array)->length);
}

} // namespace

void OsrChoice::observe(const OsrLoop &innermost, Clock::time_point now) {
  for (const OsrLoop *r = &innermost; r; r = r->outer) {
    if (!counted(*r))
      continue;
    auto [it, added] = Loops.try_emplace(r->loop);
    // Another run of the loop (a later call, or the next iteration of a
    // loop around it) starts the watch again.
    Seen &seen = it->second;
    if (added || seen.run != r->run)
      seen = Seen{r->run, position(*r), now, position(*r), now};
    if (position(*r) != seen.last) {
      seen.last = position(*r);
      seen.moved = now;
    }
  }
}

OsrChoice::Pace OsrChoice::pace(const OsrLoop &r, Clock::time_point now) const {
  if (!counted(r))
    return Pace::Long;
  auto it = Loops.find(r.loop);
  if (it == Loops.end() || it->second.run != r.run)
    return Pace::Unknown; // not observed yet
  double iterations = position(r) - it->second.position;
  auto elapsed = now - it->second.at;
  if (iterations >= 2 && elapsed <= Period * iterations)
    return Pace::Short;
  return elapsed < 2 * Period ? Pace::Unknown : Pace::Long;
}

const OsrLoop *OsrChoice::choose(const OsrLoop &innermost,
                                 Clock::time_point now) const {
  // The chain runs inside out; nesting is at most the parser's 256 levels.
  std::vector<const OsrLoop *> chain;
  for (const OsrLoop *r = innermost.outer; r; r = r->outer)
    chain.push_back(r);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    switch (pace(**it, now)) {
    case Pace::Short: return *it;
    case Pace::Unknown: return nullptr;
    case Pace::Long: continue;
    }
  }
  return &innermost;
}

OsrChoice::Clock::duration
OsrChoice::remaining(const OsrLoop &innermost, Clock::time_point now) const {
  Clock::duration most{0};
  for (const OsrLoop *r = &innermost; r; r = r->outer) {
    auto it = counted(*r) ? Loops.find(r->loop) : Loops.end();
    if (it == Loops.end() || it->second.run != r->run)
      continue;
    double done = position(*r) - it->second.position;
    double left = end(*r) - position(*r);
    if (done < 16 || !(left > 0))
      continue; // too few iterations for a pace (the thread may have paused)
    auto elapsed = std::chrono::duration<double>(now - it->second.at);
    auto estimate = elapsed * std::min(left / done, 1e6);
    most = std::max(most, std::chrono::duration_cast<Clock::duration>(estimate));
  }
  return most;
}

OsrChoice::Clock::duration
OsrChoice::iterationAge(const OsrLoop &r, Clock::time_point now) const {
  if (!counted(r))
    return Clock::duration::max();
  auto it = Loops.find(r.loop);
  if (it == Loops.end() || it->second.run != r.run)
    return Clock::duration(0); // a run not observed yet has just begun
  return now - it->second.moved;
}

} // namespace kiln::relay
