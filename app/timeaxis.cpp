#include "timeaxis.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <array>

namespace valiant::app {

namespace {

constexpr std::array<int, 17> tickSteps = {1,   2,   5,    10,   15,   30,    60,    120,  300,
                                           600, 900, 1800, 3600, 7200, 10800, 21600, 43200};
constexpr int secondsPerDay = 24 * 60 * 60;

}  // namespace

int timeTickStepSeconds(std::int64_t fromMs, std::int64_t toMs, int maxTicks)
{
    const std::int64_t spanSeconds = std::max<std::int64_t>((toMs - fromMs) / 1000, 1);
    const int wanted = std::max(maxTicks, 2);
    for (int step : tickSteps) {
        if (spanSeconds / step < wanted)
            return step;
    }
    return tickSteps.back();
}

QList<TimeTick> timeTicks(std::int64_t fromMs, std::int64_t toMs, int maxTicks,
                          const QLocale& locale)
{
    QList<TimeTick> ticks;
    if (toMs <= fromMs)
        return ticks;

    const int step = timeTickStepSeconds(fromMs, toMs, maxTicks);
    const QString format = step < 60 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
    const QDate firstDay = QDateTime::fromMSecsSinceEpoch(fromMs).date();
    const QDate lastDay = QDateTime::fromMSecsSinceEpoch(toMs).date();

    // Walk each local day's wall clock. A wall time that a spring-forward
    // skipped is not a real time, and Qt moves it, so it is left out.
    for (QDate day = firstDay; day <= lastDay; day = day.addDays(1)) {
        const std::int64_t dayStartMs = QDateTime(day, QTime(0, 0)).toMSecsSinceEpoch();
        const int firstSecond =
            day == firstDay ? static_cast<int>(std::max<std::int64_t>(0, (fromMs - dayStartMs) / 1000))
                            : 0;
        for (int second = (firstSecond / step) * step; second < secondsPerDay; second += step) {
            const QTime wallTime = QTime(0, 0).addSecs(second);
            const QDateTime instant(day, wallTime);
            if (instant.time() != wallTime)
                continue;
            const std::int64_t ms = instant.toMSecsSinceEpoch();
            if (ms > toMs)
                break;
            if (ms < fromMs || (!ticks.isEmpty() && ms <= ticks.last().ms))
                continue;
            ticks.append(TimeTick{ms, locale.toString(instant, format)});
        }
    }
    return ticks;
}

}  // namespace valiant::app
