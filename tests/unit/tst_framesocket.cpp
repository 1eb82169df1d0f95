// Tests of the layer under a stream session's Beast WebSocket: the text
// frame header, direct writes, and how it distinguishes a close frame that
// Beast writes from the other bytes Beast sends, on a real loopback connection.
#include "server/networkcontext.h"  // first: it includes <utility> before Asio

#include "server/framesocket.h"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <QTest>

#include <array>
#include <optional>
#include <string>

using namespace valiant::server;

namespace {

/// A connected pair of loopback sockets: `server` wrapped in a FrameSocket
/// on a strand, `client` a plain blocking socket that reads what it sends.
struct Connection
{
    Connection()
    {
        tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
        client.connect(acceptor.local_endpoint());
        tcp::socket accepted(io);
        acceptor.accept(accepted);
        server.emplace(net::make_strand(io), std::move(accepted));
        server->setOwner(owner);
    }

    /// Reads exactly `size` bytes from the client's end.
    std::string read(std::size_t size)
    {
        std::string bytes(size, '\0');
        net::read(client, net::buffer(bytes));
        return bytes;
    }

    /// Writes `bytes` as Beast would, through async_write_some, and runs
    /// the io_context until the write completes.
    void writeAsBeast(const std::string& bytes)
    {
        bool done = false;
        server->async_write_some(net::buffer(bytes), [&done](beast::error_code, std::size_t) {
            done = true;
        });
        io.restart();
        io.run();
        QVERIFY(done);
    }

    net::io_context io;
    // Stands for the session that owns the socket: a Beast write that
    // completes after its owner is gone leaves the socket's state alone.
    std::shared_ptr<int> owner = std::make_shared<int>(0);
    tcp::socket client{io};
    std::optional<FrameSocket> server;
};

std::string headerBytes(std::uint64_t payloadSize)
{
    const TextFrameHeader header(payloadSize);
    return std::string(header.data(), header.size());
}

}  // namespace

class TestFrameSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void headerOfShortPayload();
    void headerOfMediumPayload();
    void headerOfLongPayload();
    void writeNowSendsOneBuffer();
    void writeNowSendsSeveralBuffers();
    void closeFrameNoticed();
    void handshakeAndPingNotCloseFrames();
    void receivedBytesReadFirst();
};

void TestFrameSocket::headerOfShortPayload()
{
    QCOMPARE(headerBytes(0), std::string("\x81\x00", 2));
    QCOMPARE(headerBytes(125), std::string("\x81\x7d", 2));
}

void TestFrameSocket::headerOfMediumPayload()
{
    // 126 marks a 16-bit big-endian length.
    QCOMPARE(headerBytes(126), std::string("\x81\x7e\x00\x7e", 4));
    QCOMPARE(headerBytes(0xffff), std::string("\x81\x7e\xff\xff", 4));
}

void TestFrameSocket::headerOfLongPayload()
{
    // 127 marks a 64-bit big-endian length.
    QCOMPARE(headerBytes(0x10000), std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

void TestFrameSocket::writeNowSendsOneBuffer()
{
    Connection connection;
    const std::string frame = headerBytes(5) + "hello";
    beast::error_code error;
    const std::size_t written =
        connection.server->writeNow(std::array{net::const_buffer(frame.data(), frame.size())}, error);
    QVERIFY(!error);
    QCOMPARE(written, frame.size());
    QCOMPARE(connection.read(frame.size()), frame);
}

void TestFrameSocket::writeNowSendsSeveralBuffers()
{
    Connection connection;
    const std::string header = headerBytes(2);
    const std::string first = "ab";
    const std::string second = headerBytes(3) + "cde";
    const std::array buffers{net::const_buffer(header.data(), header.size()),
                             net::const_buffer(first.data(), first.size()),
                             net::const_buffer(second.data(), second.size())};
    beast::error_code error;
    const std::size_t written = connection.server->writeNow(buffers, error);
    QVERIFY(!error);
    QCOMPARE(written, header.size() + first.size() + second.size());
    QCOMPARE(connection.read(written), header + first + second);
}

void TestFrameSocket::closeFrameNoticed()
{
    Connection connection;
    QVERIFY(!connection.server->closeFrameStarted());

    // FIN and opcode 8, a 2-byte payload: close code 1001.
    const std::string close("\x88\x02\x03\xe9", 4);
    connection.writeAsBeast(close);
    QVERIFY(connection.server->closeFrameStarted());
    QCOMPARE(connection.read(close.size()), close);
}

void TestFrameSocket::handshakeAndPingNotCloseFrames()
{
    Connection connection;
    const std::string response = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
    connection.writeAsBeast(response);
    QVERIFY(!connection.server->closeFrameStarted());

    // FIN and opcode 9, an empty ping.
    const std::string ping("\x89\x00", 2);
    connection.writeAsBeast(ping);
    QVERIFY(!connection.server->closeFrameStarted());
    QVERIFY(!connection.server->busy());
    QCOMPARE(connection.read(response.size() + ping.size()), response + ping);
}

void TestFrameSocket::receivedBytesReadFirst()
{
    Connection connection;
    connection.server->setReceivedBytes("early");
    net::write(connection.client, net::buffer(std::string("late")));

    std::array<char, 3> chunk{};
    // Three bytes per read: the received bytes come out in order and first,
    // then the connection's, without mixing the two in one read.
    const std::array<std::string, 3> expected{"ear", "ly", "lat"};
    for (const std::string& part : expected) {
        std::size_t count = 0;
        beast::error_code error;
        connection.server->async_read_some(net::buffer(chunk),
                                           [&](beast::error_code result, std::size_t bytes) {
                                               error = result;
                                               count = bytes;
                                           });
        connection.io.restart();
        connection.io.run();
        QVERIFY(!error);
        QCOMPARE(std::string(chunk.data(), count), part);
    }
}

QTEST_GUILESS_MAIN(TestFrameSocket)
#include "tst_framesocket.moc"
