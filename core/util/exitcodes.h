#pragma once

// Exit codes shared by taskmaster and taskworker (documented in README.md and --help).
namespace ExitCode {
inline constexpr int Ok = 0;
inline constexpr int TasksFailed = 1; // submit --wait: some task failed or was cancelled
inline constexpr int Usage = 2; // bad command line or bad input (JSON, files)
inline constexpr int AuthFailed = 3; // the authkey does not match
inline constexpr int Unreachable = 4; // cannot reach the master, or lost it, or it spoke nonsense
inline constexpr int CannotListen = 5; // serve: cannot bind, or refuses an unsafe setup
// The master cannot write its store (disk full, I/O error): serve stopped with changes unwritten,
// or submit was refused because the master could not make the tasks durable.
inline constexpr int StoreFailed = 6;
} // namespace ExitCode
