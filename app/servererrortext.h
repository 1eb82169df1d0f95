#pragma once

// The text the app shows for an error that the server returned. The server
// writes its messages in English, with the amounts of the case. In another
// language the app shows its own translation of what the error code means,
// so that the errors of trading and sessions read in one language. Other
// codes keep the server's English message.

#include "core/result.h"

#include <QString>

namespace valiant::app {

/// The translated meaning of `error.code` when a translation is loaded.
/// Otherwise, and for codes the app does not translate, the server's
/// message (the code when the message is empty).
QString serverErrorText(const core::Error& error);

}  // namespace valiant::app
