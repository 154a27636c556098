// The precompiled header donor compiles this file; the header is what the other targets reuse.
