#pragma once

// Checks of a JSON request body that Qt's parser (Qt 6.4) does not make:
// member names that repeat in one object, unescaped control characters
// inside strings, and numbers beyond the range of a double, which Qt
// rejects as "illegal number" although RFC 8259 allows them.

#include "result.h"

#include <QByteArray>

#include <optional>

namespace valiant::core::api {

struct StrictJsonScan
{
    /// The body with every number literal outside the range of a double
    /// replaced by a finite stand-in of the same length (1e308, -1e308 or
    /// 0, padded with spaces), so that Qt parses it and the field's own
    /// range check rejects it. Byte offsets stay those of the body.
    QByteArray text;
    /// 400 invalid_json for the first repeated member name or raw control
    /// character. Only meaningful when `text` is valid JSON.
    std::optional<Error> error;
    /// 400 invalid_json naming the first number literal that JSON does not
    /// allow (a leading zero, a bare point, a plus sign). Qt's parser
    /// rejects most of these with a vaguer message at or after
    /// `invalidNumberAt`, and accepts some, such as "1.".
    std::optional<Error> invalidNumber;
    qsizetype invalidNumberAt = -1;
};

/// Scans `body` without parsing it fully. Stops at the first place where
/// it is not JSON, because Qt's parser reports that error itself.
StrictJsonScan scanStrictJson(const QByteArray& body);

}  // namespace valiant::core::api
