#pragma once

// The sentence the app shows when a typed amount (a limit price, an alert
// level) cannot be used, shared so that both show the same text.

#include "core/money.h"

#include <QCoreApplication>
#include <QString>

class QLocale;

namespace valiant::app {

class MoneyInput
{
    Q_DECLARE_TR_FUNCTIONS(valiant::app::MoneyInput)

public:
    /// Parses `text` as a positive amount in `locale`. On failure, sets
    /// `problem` to one translated sentence that quotes the text and names
    /// what is wrong with it, without the advice on what to type instead.
    static std::optional<core::Money> parsePositive(const QString& text, const QLocale& locale,
                                                    QString& problem);
};

}  // namespace valiant::app
