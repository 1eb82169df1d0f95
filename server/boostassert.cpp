// The handler of Boost's assertions in Debug builds of the server library,
// which compiles Boost with BOOST_ENABLE_ASSERT_DEBUG_HANDLER. It aborts as
// assert() does, except for one assertion of Boost 1.74's Beast that any
// client can trip. Release builds (NDEBUG) compile Boost's assertions out.

#include <boost/assert.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace boost {

void assertion_failed(const char* expression, const char* function, const char* file, long line)
{
    // Beast asserts n >= 5 when the last chunk of a chunked body has
    // arrived as "0\r\n" plus one byte, but the code after the assertion
    // correctly returns need_more to wait for the rest. Upstream relaxed the assertion in 2024
    // (pull request boostorg/beast#2861).
    if (std::strcmp(expression, "n >= 5") == 0 && std::strstr(file, "http/impl/basic_parser.ipp")) {
        return;
    }
    std::fprintf(stderr, "Boost assertion failed: %s in %s at %s:%ld\n", expression, function, file,
                 line);
    std::abort();
}

void assertion_failed_msg(const char* expression, const char* message, const char* function,
                          const char* file, long line)
{
    std::fprintf(stderr, "Boost assertion failed: %s (%s) in %s at %s:%ld\n", expression, message,
                 function, file, line);
    std::abort();
}

}  // namespace boost
