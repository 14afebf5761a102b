// Whether this test binary runs under a sanitizer, whichever compiler built
// it: GCC defines __SANITIZE_ADDRESS__ and __SANITIZE_THREAD__, clang answers
// __has_feature instead (scripts/test.sh builds the sanitizer pass with
// clang, the normal build with GCC). Tests that bound wall time or that take
// every descriptor away ask this rather than the compiler's own macros.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define WSOP_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WSOP_TEST_UNDER_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define WSOP_TEST_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WSOP_TEST_UNDER_TSAN 1
#endif
#endif
