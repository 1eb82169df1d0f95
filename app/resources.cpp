#include "resources.h"

#include <QtGlobal>

// Q_INIT_RESOURCE declares a function, so it must run outside any namespace.
static void initValiantResources()
{
    Q_INIT_RESOURCE(valiant);
}

namespace valiant::app {

void initResources()
{
    initValiantResources();
}

}  // namespace valiant::app
