#pragma once

// Tick positions and labels of the chart's time axis, in local time. Ticks
// are placed on round wall-clock times of each local day, so a day that
// springs forward or falls back (daylight saving) gets labels that name
// real local times and never a fixed-offset guess such as a 02:00 that the
// day skipped.

#include <QList>
#include <QLocale>
#include <QString>

#include <cstdint>

namespace valiant::app {

struct TimeTick
{
    std::int64_t ms = 0;  // since the Unix epoch
    QString label;        // local time, e.g. "14:30"
};

/// Seconds between ticks: the smallest of 1, 2, 5, 10, 15, 30 s, 1, 2, 5,
/// 10, 15, 30 min, 1, 2, 3, 6, 12 h that gives at most `maxTicks` ticks.
int timeTickStepSeconds(std::int64_t fromMs, std::int64_t toMs, int maxTicks);

/// Ticks inside [fromMs, toMs] on multiples of the step in local wall-clock
/// time, ascending and unique, labelled with `locale`.
QList<TimeTick> timeTicks(std::int64_t fromMs, std::int64_t toMs, int maxTicks,
                          const QLocale& locale);

}  // namespace valiant::app
