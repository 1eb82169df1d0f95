// The app in German, chosen from LANG=de_AT.UTF-8 (CTest sets it), and in
// Spanish through --lang es: strings come from the shipped translations
// and amounts use the locale's format.

#include "app/localization.h"
#include "app/mainwindow.h"
#include "app/resources.h"

#include "core/marketclient.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QTest>
#include <QTranslator>

using valiant::app::MainWindow;
using valiant::core::MarketClient;
using valiant::core::Money;

class TestGermanUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void systemLocaleIsAustrianGerman();
    void windowStringsAreGerman();
    void spanishFromLangOption();
};

void TestGermanUi::systemLocaleIsAustrianGerman()
{
    const QLocale locale = valiant::app::chooseLocale(QString());

    QCOMPARE(locale.language(), QLocale::German);
    QCOMPARE(locale.territory(), QLocale::Austria);
    // Austrian German groups thousands with a no-break space, not a period.
    QCOMPARE(Money::fromCents(1234'50).toLocaleString(locale),
             QStringLiteral("1\u00A0234,50\u00A0$"));
    QCOMPARE(Money::parseLocale(QStringLiteral("12,50"), locale), Money::fromCents(12'50));
}

void TestGermanUi::windowStringsAreGerman()
{
    valiant::app::initResources();
    const QLocale locale = valiant::app::chooseLocale(QString());
    QLocale::setDefault(locale);
    QTranslator appTranslator;
    QTranslator qtTranslator;
    valiant::app::installTranslations(*qApp, locale, appTranslator, qtTranslator);
    QVERIFY2(!appTranslator.isEmpty(), "no German translation under :/i18n");

    QNetworkAccessManager network;
    MarketClient client(&network);
    MainWindow window(client, QStringLiteral("diesem Computer"));

    QCOMPARE(window.findChild<QPushButton*>(QStringLiteral("buyButton"))->text(),
             QStringLiteral("Kaufen  (B)"));
    QCOMPARE(window.findChild<QPushButton*>(QStringLiteral("sellButton"))->accessibleName(),
             QStringLiteral("Verkaufen"));
    const QStringList menus = [&window] {
        QStringList titles;
        for (QAction* action : window.menuBar()->actions())
            titles.append(action->text());
        return titles;
    }();
    QCOMPARE(menus, (QStringList{QStringLiteral("&Datei"), QStringLiteral("&Ansicht"),
                                 QStringLiteral("A&larme")}));
    QCOMPARE(window.findChild<QLineEdit*>(QStringLiteral("limitPriceEdit"))->accessibleName(),
             QStringLiteral("Limitpreis je Aktie"));
    QVERIFY(window.findChild<QLineEdit*>(QStringLiteral("limitPriceEdit"))->locale().language() ==
            QLocale::German);

    qApp->removeTranslator(&appTranslator);
    qApp->removeTranslator(&qtTranslator);
}

void TestGermanUi::spanishFromLangOption()
{
    const QLocale locale = valiant::app::chooseLocale(QStringLiteral("es"));
    QTranslator appTranslator;
    QTranslator qtTranslator;
    valiant::app::installTranslations(*qApp, locale, appTranslator, qtTranslator);
    QVERIFY(!appTranslator.isEmpty());

    QNetworkAccessManager network;
    MarketClient client(&network);
    MainWindow window(client, QStringLiteral("este ordenador"));

    QCOMPARE(window.findChild<QPushButton*>(QStringLiteral("buyButton"))->text(),
             QStringLiteral("Comprar  (B)"));
    qApp->removeTranslator(&appTranslator);
    qApp->removeTranslator(&qtTranslator);
}

QTEST_MAIN(TestGermanUi)
#include "tst_germanui.moc"
