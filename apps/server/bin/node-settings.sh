# The node settings the server and the CLI run with in production (README, Configuration), in one
# place. bin/locker (what `pnpm start` and `pnpm locker` run) and the container's locker
# (container/locker) source this file; the test harness (packages/harness, which starts the built
# server for e2e, reliability and bench) reads it as text, so keep to plain NAME='value' lines.
#
# node's flags: V8's young generation at 2 MB per semi-space (--max-semi-space-size), and the old
# space growing by 100 % after a collection instead of its default step (--heap-growing-percent).
LOCKER_NODE_FLAGS='--max-semi-space-size=2 --heap-growing-percent=100'
# glibc's malloc arenas (MALLOC_ARENA_MAX), used unless the environment sets its own.
LOCKER_MALLOC_ARENA_MAX='2'
