#pragma once

namespace sb::cli {

// The whole command line: global options, `serve`, `help`, or an admin command sent to the
// running server. Returns the exit code: 0 done, 1 the command failed, 2 usage or connection error.
int main(int argc, char** argv);

}  // namespace sb::cli
