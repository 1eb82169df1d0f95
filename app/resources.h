#pragma once

namespace valiant::app {

/// Registers the compiled resources/valiant.qrc (icons). A static library's
/// resources must be registered by hand; calling this more than once is fine.
void initResources();

}  // namespace valiant::app
