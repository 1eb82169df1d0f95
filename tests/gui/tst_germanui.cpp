// The app in German, chosen from LANG=de_AT.UTF-8 (CTest sets it), and in
// Spanish through --lang es: strings come from the shipped translations
// and amounts use the locale's format.

#include "app/localization.h"
#include "app/mainwindow.h"
#include "app/resources.h"
#include "app/servererrortext.h"

#include "core/marketclient.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QNetworkAccessManager>
#include <QProcess>
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
    void serverErrorsTranslated();
    void unsupportedLanguageRejected_data();
    void unsupportedLanguageRejected();
    void unknownLangOptionExitsWithMessage();
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
             QStringLiteral("Limitpreis je Anteil"));
    QVERIFY(window.findChild<QLineEdit*>(QStringLiteral("limitPriceEdit"))->locale().language() ==
            QLocale::German);

    qApp->removeTranslator(&appTranslator);
    qApp->removeTranslator(&qtTranslator);
}

void TestGermanUi::serverErrorsTranslated()
{
    using valiant::app::serverErrorText;
    const valiant::core::Error shares{422, QStringLiteral("insufficient_shares"),
                                      QStringLiteral("Cannot sell 1 share because you hold 0 shares.")};
    const valiant::core::Error unknown{409, QStringLiteral("request_in_progress"),
                                       QStringLiteral("The first request with this key is still running.")};

    // In English the server's message stays, because it names the amounts.
    QCOMPARE(serverErrorText(shares), shares.message);

    valiant::app::initResources();
    QTranslator german;
    QVERIFY(german.load(QStringLiteral(":/i18n/valiant_de.qm")));
    qApp->installTranslator(&german);
    QCOMPARE(serverErrorText(shares), QStringLiteral("Sie halten nicht so viele Anteile."));
    // A code without a translation falls back to the server's message.
    QCOMPARE(serverErrorText(unknown), unknown.message);
    qApp->removeTranslator(&german);

    QTranslator spanish;
    QVERIFY(spanish.load(QStringLiteral(":/i18n/valiant_es.qm")));
    qApp->installTranslator(&spanish);
    QCOMPARE(serverErrorText(shares), QStringLiteral("No tiene tantas acciones."));
    qApp->removeTranslator(&spanish);
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

void TestGermanUi::unsupportedLanguageRejected_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("empty means the system's") << QString() << true;
    QTest::newRow("de") << QStringLiteral("de") << true;
    QTest::newRow("es_MX") << QStringLiteral("es_MX") << true;
    QTest::newRow("en_US") << QStringLiteral("en_US") << true;
    QTest::newRow("unknown code") << QStringLiteral("xx") << false;
    QTest::newRow("not shipped") << QStringLiteral("fr") << false;
    QTest::newRow("C") << QStringLiteral("C") << false;
}

void TestGermanUi::unsupportedLanguageRejected()
{
    QFETCH(QString, option);
    QFETCH(bool, accepted);

    const auto locale = valiant::app::localeFromOption(option);

    QCOMPARE(locale.ok(), accepted);
    if (accepted)
        return;
    QCOMPARE(locale.error().code, QStringLiteral("unsupported_language"));
    QVERIFY2(locale.error().message.contains(QLatin1Char('\'') + option + QLatin1Char('\'')),
             qPrintable(locale.error().message));
    QVERIFY2(locale.error().message.contains(QStringLiteral("en, de or es")),
             qPrintable(locale.error().message));
}

void TestGermanUi::unknownLangOptionExitsWithMessage()
{
    // Runs the real binary, which CMake builds in ../app next to this test.
    const QString app = QDir(QCoreApplication::applicationDirPath())
                            .absoluteFilePath(QStringLiteral("../app/valiant"));
    QVERIFY2(QFileInfo(app).isExecutable(), qPrintable(app + QStringLiteral(" is not built")));

    QProcess process;
    process.start(app, {QStringLiteral("--lang"), QStringLiteral("xx")});
    QVERIFY(process.waitForFinished(30'000));

    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 2);
    const QString error = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(error.contains(QStringLiteral("Unsupported --lang 'xx': use en, de or es")),
             qPrintable(error));
}

QTEST_MAIN(TestGermanUi)
#include "tst_germanui.moc"
