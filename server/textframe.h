#pragma once

// The header of a WebSocket text frame as the server sends it: unmasked
// and unfragmented (RFC 6455 section 5.2). Free of Asio and Beast, so the
// stream hub can frame a quote once for every session.

#include <array>
#include <cstddef>
#include <cstdint>

namespace valiant::server {

class TextFrameHeader
{
public:
    /// The header for a payload of `payloadSize` bytes.
    explicit TextFrameHeader(std::uint64_t payloadSize)
    {
        m_bytes[0] = static_cast<char>(0x81);  // FIN and opcode 1, text
        if (payloadSize < 126) {
            m_bytes[1] = static_cast<char>(payloadSize);
            m_size = 2;
        } else if (payloadSize <= 0xffff) {
            m_bytes[1] = 126;
            m_size = 4;
        } else {
            m_bytes[1] = 127;
            m_size = 10;
        }
        // The extended length is big-endian.
        for (std::uint8_t i = 2; i < m_size; ++i) {
            m_bytes[i] = static_cast<char>(payloadSize >> (8 * (m_size - 1 - i)));
        }
    }

    const char* data() const { return m_bytes.data(); }
    std::size_t size() const { return m_size; }

private:
    std::array<char, 10> m_bytes{};
    std::uint8_t m_size = 0;
};

}  // namespace valiant::server
