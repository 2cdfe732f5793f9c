// A bound for a stuck emulator or browser, never a way to wait (every spec waits on events): on a
// loaded 2-core machine a spec that signs up, cuts tokens off and refreshes takes several seconds.
jasmine.DEFAULT_TIMEOUT_INTERVAL = 30_000;
