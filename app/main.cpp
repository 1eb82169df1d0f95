// valiant: the desktop app. It connects a MarketClient to the chosen
// connection profile (the embedded local server, started only for that
// profile, or a remote server) and shows the main window.

#include "connectioncontroller.h"
#include "connectionprofiles.h"
#include "connectiontoolbar.h"
#include "embeddedserver.h"
#include "instancelock.h"
#include "localization.h"
#include "mainwindow.h"
#include "resources.h"
#include "theme.h"
#include "tokenkeychain.h"

#include "core/marketclient.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>
#include <QTranslator>

#include <cstdio>
#include <optional>

namespace {

QString localized(const char* text)
{
    return QCoreApplication::translate("main", text);
}

// "system" follows the desktop: a dark system palette gets the app's dark
// palette, whose gain and loss colours are tuned for it.
void applyPalette(QApplication& app, const QString& choice)
{
    const bool dark = choice == QLatin1String("dark") ||
                      (choice == QLatin1String("system") &&
                       valiant::app::theme::looksDark(QGuiApplication::palette()));
    if (dark)
        app.setPalette(valiant::app::theme::darkPalette());
    else if (choice == QLatin1String("light"))
        app.setPalette(app.style()->standardPalette());
}

/// The app's command-line options.
struct CommandLineOptions
{
    QCommandLineOption language{
        QStringLiteral("lang"),
        QStringLiteral(
            "Language and number format, such as de, es or en_US (default: the system's)."),
        QStringLiteral("code")};
    QCommandLineOption palette{QStringLiteral("palette"),
                               QStringLiteral("Colours: system (default), light or dark."),
                               QStringLiteral("name"), QStringLiteral("system")};
    QCommandLineOption port{
        QStringLiteral("port"),
        QStringLiteral("Port of the local server on 127.0.0.1 (default 0: any free port)."),
        QStringLiteral("number"), QStringLiteral("0")};
    QCommandLineOption server{
        QStringLiteral("server"),
        QStringLiteral("Connect to the Valiant server at this URL, such as "
                       "https://valiant.example.com (default: the connection used last)."),
        QStringLiteral("url")};
    QCommandLineOption profile{
        QStringLiteral("profile"),
        QStringLiteral("Connect with the saved connection of this name; \"local\" is this "
                       "computer."),
        QStringLiteral("name")};
};

// Options are read before translations load, so --help stays English.
void setUpParser(QCommandLineParser& parser, const CommandLineOptions& options)
{
    parser.setApplicationDescription(
        QStringLiteral("Valiant: trade ValveCoin live with play money."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(
        {options.language, options.palette, options.port, options.server, options.profile});
}

void setApplicationNames()
{
    QCoreApplication::setApplicationName(QStringLiteral("Valiant"));
    QCoreApplication::setOrganizationName(QStringLiteral("Valiant"));
    QCoreApplication::setApplicationVersion(QStringLiteral(VALIANT_VERSION));
}

// QApplication aborts when it cannot open a display, so a request for help
// or the version is handled by a QCoreApplication, which needs none.
bool asksForHelpOrVersion(int argc, char* argv[])
{
    const QByteArrayList flags{"-h", "--help", "--help-all", "-?", "-v", "--version"};
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], "--") == 0)
            return false;
        if (flags.contains(QByteArray(argv[i])))
            return true;
    }
    return false;
}

// False when QApplication would abort for want of a display: no platform
// chosen, and neither an X11 nor a Wayland display in the environment.
bool hasDisplay(int argc, char* argv[])
{
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], "-platform") == 0 || qstrcmp(argv[i], "--platform") == 0)
            return true;
    }
    return !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") ||
           !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

/// Parses and checks the arguments, printing what is wrong. Returns the
/// exit status (2, a usage error) to stop with, or nothing to go on.
std::optional<int> checkArguments(QCommandLineParser& parser, const CommandLineOptions& options,
                                  const QStringList& arguments)
{
    if (!parser.parse(arguments)) {
        qCritical("%s Run valiant --help for the options.", qPrintable(parser.errorText()));
        return 2;
    }
    if (!parser.positionalArguments().isEmpty()) {
        qCritical("Unexpected argument '%s': valiant takes only options. Run valiant --help "
                  "for them.",
                  qPrintable(parser.positionalArguments().constFirst()));
        return 2;
    }
    bool portValid = false;
    const int port = parser.value(options.port).toInt(&portValid);
    if (!portValid || port < 0 || port > 65535) {
        qCritical("Invalid --port '%s': use a number from 0 to 65535.",
                  qPrintable(parser.value(options.port)));
        return 2;
    }
    const QString paletteChoice = parser.value(options.palette);
    if (!QStringList{QStringLiteral("system"), QStringLiteral("light"), QStringLiteral("dark")}
             .contains(paletteChoice)) {
        qCritical("Invalid --palette '%s': use system, light or dark.", qPrintable(paletteChoice));
        return 2;
    }
    const valiant::core::Result<QLocale> locale =
        valiant::app::localeFromOption(parser.value(options.language));
    if (!locale) {
        qCritical("%s", qPrintable(locale.error().message));
        return 2;
    }
    return std::nullopt;
}

}  // namespace

int main(int argc, char* argv[])
{
    const CommandLineOptions commandLine;
    if (asksForHelpOrVersion(argc, argv) || !hasDisplay(argc, argv)) {
        QCoreApplication core(argc, argv);
        setApplicationNames();
        QCommandLineParser parser;
        setUpParser(parser, commandLine);
        if (asksForHelpOrVersion(argc, argv)) {
            parser.process(core);  // prints and exits
            return 0;
        }
        if (const std::optional<int> status =
                checkArguments(parser, commandLine, QCoreApplication::arguments()))
            return *status;
        qCritical("valiant needs a graphical display, but neither DISPLAY nor WAYLAND_DISPLAY "
                  "is set. Start it in a desktop session, or choose a Qt platform with "
                  "-platform or QT_QPA_PLATFORM.");
        return 1;
    }

    QApplication app(argc, argv);
    setApplicationNames();
    QApplication::setDesktopFileName(QStringLiteral("valiant"));
    valiant::app::initResources();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/valiant.svg")));

    QCommandLineParser parser;
    setUpParser(parser, commandLine);
    if (const std::optional<int> status =
            checkArguments(parser, commandLine, QCoreApplication::arguments()))
        return *status;
    const QCommandLineOption& languageOption = commandLine.language;
    const QCommandLineOption& serverOption = commandLine.server;
    const QCommandLineOption& profileOption = commandLine.profile;
    const int port = parser.value(commandLine.port).toInt();
    const QString paletteChoice = parser.value(commandLine.palette);
    const valiant::core::Result<QLocale> chosenLocale =
        valiant::app::localeFromOption(parser.value(languageOption));
    const QLocale locale = *chosenLocale;
    QLocale::setDefault(locale);
    QTranslator appTranslator;
    QTranslator qtTranslator;
    valiant::app::installTranslations(app, locale, appTranslator, qtTranslator);

    if (qEnvironmentVariableIsEmpty("QT_STYLE_OVERRIDE"))
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    applyPalette(app, paletteChoice);

    QSettings settings;
    valiant::app::ConnectionProfiles profiles(settings);
    const valiant::core::Result<valiant::app::ConnectionProfile> startProfile =
        profiles.startupProfile(parser.value(serverOption), parser.value(profileOption));
    if (!startProfile) {
        qCritical("%s", qPrintable(startProfile.error().message));
        return 2;
    }

    valiant::app::EmbeddedServer::Options options;
    options.port = port;
    valiant::app::EmbeddedServer server(options);

    // A second app on the same data folder would run a second generator on
    // the same SQLite file, so it explains and stops.
    const QString dataFolder = QFileInfo(server.databasePath()).absolutePath();
    QDir().mkpath(dataFolder);
    valiant::app::InstanceLock instanceLock(dataFolder);
    const valiant::core::Result<valiant::core::Ok> locked = instanceLock.acquire();
    if (!locked) {
        qCritical("%s", qPrintable(locked.error().message));
        QMessageBox::information(nullptr,
                                 localized(QT_TRANSLATE_NOOP("main", "Valiant is already running")),
                                 locked.error().message);
        return 1;
    }
    // The local server runs only while "This computer" is the profile.
    const valiant::core::Result<valiant::core::Ok> started =
        startProfile->isLocal() ? server.start()
                                : valiant::core::Result<valiant::core::Ok>(valiant::core::Ok{});
    if (!started) {
        QMessageBox::critical(
            nullptr, localized(QT_TRANSLATE_NOOP("main", "Valiant cannot start")),
            localized(QT_TRANSLATE_NOOP("main",
                                        "The local market server could not start, so there is "
                                        "nothing to trade on.\n\n%1\n\nDatabase file: %2"))
                .arg(started.error().message, QDir::toNativeSeparators(server.databasePath())));
        return 1;
    }

    QNetworkAccessManager network;
    valiant::core::MarketClient client(&network);
    valiant::app::TokenKeychain keychain(QApplication::applicationName());
    valiant::app::ConnectionController connections(client, server, profiles, keychain);

    valiant::app::MainWindow window(client, startProfile->name);
    window.addToolBar(Qt::TopToolBarArea,
                      new valiant::app::ConnectionToolBar(client, profiles, connections, &window));
    valiant::app::showConnectionsIn(connections, window);
    if (qEnvironmentVariableIsSet("VALIANT_REPORT_FIRST_PAINT")) {
        // For bench/run, which times start-up from spawn to this line.
        QObject::connect(&window, &valiant::app::MainWindow::firstPricePainted, [] {
            std::fputs("valiant: first price painted\n", stdout);
            std::fflush(stdout);
        });
    }
    window.restoreSettings(settings);
    window.show();
    connections.activate(*startProfile);

    const int status = QApplication::exec();

    // QSettings writes through a temporary file and a rename, so a crash
    // mid-write leaves the old file; sync() reports a failed write now.
    window.saveSettings(settings);
    settings.sync();
    if (settings.status() != QSettings::NoError)
        qCritical("Could not save the settings to %s.", qPrintable(settings.fileName()));
    client.stop();
    server.stop();
    return status;
}
