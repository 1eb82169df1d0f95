#pragma once

#include <QLoggingCategory>

namespace valiant::app {

Q_DECLARE_LOGGING_CATEGORY(lcApp)

}  // namespace valiant::app
