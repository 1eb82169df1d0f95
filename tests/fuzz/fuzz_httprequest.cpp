// Fuzz target for the HTTP request path up to the handler. The input is
// the bytes a client sends on one connection. A Beast parser set up by
// server/requestparser.h reads them, as HttpServer reads its own. Each
// request then goes where HttpServer sends it: keep-alive requests one
// after another to HttpApi (ApiFixture), a stream upgrade to
// acceptStream(), and a failed read or a body of unknown length to the
// same 400, 413, 431 or 501 rejection. The placeholder $TOKEN in the input
// becomes the fixture's bearer token, so authenticated endpoints are
// reached too.

#include "server/requestparser.h"  // first: it includes <utility> before Asio

#include "apifixture.h"
#include "server/requestparsing.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include <QString>

#include <algorithm>
#include <cstdint>
#include <optional>

namespace net = boost::asio;
using valiant::fuzz::ApiFixture;
using valiant::fuzz::failCheck;
using valiant::server::HttpRequest;
using valiant::server::RequestParser;

namespace {

// More requests per input only repeat what the fuzzer tries anyway.
constexpr int maxRequestsPerInput = 4;

/// A Beast SyncReadStream over the input that delivers at most
/// `chunkBytes` per read, as a socket delivers what has arrived so far,
/// and then reports the end of the stream.
class InputStream
{
public:
    InputStream(const QByteArray& data, std::size_t chunkBytes)
        : m_data(data), m_chunkBytes(chunkBytes)
    {
    }

    template <typename MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers, boost::beast::error_code& error)
    {
        const std::size_t remaining = std::size_t(m_data.size()) - m_offset;
        if (remaining == 0) {
            error = net::error::eof;
            return 0;
        }
        const std::size_t copied = net::buffer_copy(
            buffers, net::buffer(m_data.constData() + m_offset, std::min(remaining, m_chunkBytes)));
        m_offset += copied;
        error = {};
        return copied;
    }

    template <typename MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers)
    {
        boost::beast::error_code error;
        const std::size_t copied = read_some(buffers, error);
        if (error) {
            throw boost::system::system_error(error);
        }
        return copied;
    }

private:
    const QByteArray& m_data;
    const std::size_t m_chunkBytes;
    std::size_t m_offset = 0;
};

/// The request as far as it was parsed, converted as HttpServer converts it.
HttpRequest partialRequest(const RequestParser& parser)
{
    return valiant::server::convertRequest(parser.get(), QStringLiteral("127.0.0.1"));
}

/// Checks the rejection HttpServer sends for a failed read, after which it
/// closes the connection.
void checkReadFailure(const boost::beast::error_code& error, const RequestParser& parser)
{
    namespace http = boost::beast::http;
    const std::optional<valiant::core::Error> rejection = valiant::server::readFailureError(error, parser);
    const bool limitHit = error == http::error::body_limit || error == http::error::header_limit;
    if (limitHit && (!rejection || (rejection->status != 413 && rejection->status != 431))) {
        failCheck(partialRequest(parser), QStringLiteral("a read over a limit (%1) gets no 413 or 431")
                                              .arg(QString::fromStdString(error.message())));
    }
    if (rejection) {
        valiant::fuzz::checkRejection(partialRequest(parser),
                                      valiant::server::HttpApi::errorResponse(*rejection));
    }
    // HttpServer labels the rejection with the route of what was parsed.
    valiant::server::HttpApi::routePattern(valiant::server::toByteArray(parser.get().target()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static ApiFixture fixture;

    QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    bytes.replace(ApiFixture::tokenPlaceholder, fixture.token());

    // The input's length picks how the bytes arrive: from 1 to 512 per read.
    InputStream stream(bytes, 1 + size % 512);
    boost::beast::flat_buffer buffer;
    for (int i = 0; i < maxRequestsPerInput; ++i) {
        RequestParser parser;
        valiant::server::applyRequestLimits(parser);

        boost::beast::error_code error;
        boost::beast::http::read_header(stream, buffer, parser, error);
        if (error) {
            checkReadFailure(error, parser);
            return 0;
        }

        // As in HttpServer: a body of unknown length is rejected unread.
        const HttpRequest header = partialRequest(parser);
        const auto framing = valiant::server::checkFraming(header, parser.get().version() >= 11);
        if (!framing) {
            valiant::fuzz::checkRejection(header, valiant::server::HttpApi::errorResponse(framing.error()));
            return 0;
        }

        if (!parser.is_done()) {
            boost::beast::http::read(stream, buffer, parser, error);
        }
        if (error) {
            checkReadFailure(error, parser);
            return 0;
        }

        const auto request = parser.release();
        const HttpRequest converted = valiant::server::convertRequest(request, QStringLiteral("127.0.0.1"));
        if (valiant::server::isStreamUpgrade(request)) {
            // HttpServer hands the connection to a WebSocket session here.
            fixture.acceptStream(converted);
            return 0;
        }
        fixture.handle(converted);
        if (!request.keep_alive()) {
            return 0;
        }
    }
    return 0;
}
