#include "logging.h"

namespace valiant::app {

Q_LOGGING_CATEGORY(lcApp, "valiant.app")

}  // namespace valiant::app
