// ForkServer: one warm `faust` process per Kiln process, forking a child for
// each compilation, so only the first factory pays faust's start-up.
//
// faust spends ~25-30 ms of CPU loading libLLVM-14 before main; most DSPs
// then compile in a few milliseconds. The server (faust with the preload
// library frontends/faust/forkserver/faust_forkserver.c) has done that work
// once and forks per request; the child runs faust's real main with the
// request's arguments. When the server is unavailable, busy with another
// thread's request, or broken, the caller spawns faust as before: the
// server changes how long a compilation takes, never what it produces.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kiln::faust {

/// Runs faust (argv[0] = its absolute path) with stdout and stderr written
/// to `logPath`, through the fork server for that binary; the wait status,
/// or nullopt when the server cannot take the request (the caller then
/// spawns faust itself). A child still running after `timeoutMs` is killed
/// (SIGKILL). Thread-safe; one request at a time.
std::optional<int> runThroughForkServer(const std::vector<std::string> &argv,
                                        const std::string &logPath,
                                        int timeoutMs);

/// The preload library the server uses: $KILN_FAUST_FORKSERVER when set
/// ("off" or empty disables the server), else the one installed beside
/// Kiln's code (lib/ next to libkiln.so, or ../lib from bin/kiln), else the
/// one built with Kiln if it exists; empty when there is none.
std::string forkServerLibrary();

/// The server's process id, -1 when none is running (for tests).
int forkServerPid();

} // namespace kiln::faust
