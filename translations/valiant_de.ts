<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE" sourcelanguage="en">
<context>
    <name>ServerError</name>
    <message>
        <source>You do not have enough cash for this order.</source>
        <translation>Ihr Guthaben reicht für diesen Auftrag nicht aus.</translation>
    </message>
    <message>
        <source>You do not hold that many shares.</source>
        <translation>Sie halten nicht so viele Anteile.</translation>
    </message>
    <message>
        <source>The price is beyond your limit price, so the order was not executed.</source>
        <translation>Der Kurs liegt jenseits Ihres Limitpreises, daher wurde der Auftrag nicht ausgeführt.</translation>
    </message>
    <message>
        <source>No price exists yet. Wait for the first quote.</source>
        <translation>Es gibt noch keinen Kurs. Warten Sie auf den ersten.</translation>
    </message>
    <message>
        <source>The quantity must be a whole number from 1 to 1,000,000.</source>
        <translation>Die Menge muss eine ganze Zahl von 1 bis 1.000.000 sein.</translation>
    </message>
    <message>
        <source>The limit price must be a positive amount in dollars and cents.</source>
        <translation>Der Limitpreis muss ein positiver Betrag in Dollar und Cent sein.</translation>
    </message>
    <message>
        <source>The amount is too large for an account.</source>
        <translation>Der Betrag ist für ein Konto zu groß.</translation>
    </message>
    <message>
        <source>Too many requests at once. Wait a moment and try again.</source>
        <translation>Zu viele Anfragen auf einmal. Warten Sie kurz und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>The server cannot reach its database. Try again in a moment.</source>
        <translation>Der Server erreicht seine Datenbank nicht. Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>The server&apos;s disk is full. Try again later.</source>
        <translation>Der Datenträger des Servers ist voll. Versuchen Sie es später erneut.</translation>
    </message>
    <message>
        <source>The server is shutting down. Connect again in a moment.</source>
        <translation>Der Server wird heruntergefahren. Verbinden Sie sich gleich erneut.</translation>
    </message>
    <message>
        <source>Your session has ended. Log in again.</source>
        <translation>Ihre Sitzung ist beendet. Melden Sie sich erneut an.</translation>
    </message>
    <message>
        <source>The server cannot be reached. Check the connection and try again.</source>
        <translation>Der Server ist nicht erreichbar. Prüfen Sie die Verbindung und versuchen Sie es erneut.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Valiant cannot start</source>
        <translation>Valiant kann nicht starten</translation>
    </message>
    <message>
        <source>The local market server could not start, so there is nothing to trade on.

%1

Database file: %2</source>
        <translation>Der lokale Marktserver konnte nicht starten, daher gibt es nichts zu handeln.

%1

Datenbankdatei: %2</translation>
    </message>
    <message>
        <source>this computer</source>
        <translation type="vanished">diesem Computer</translation>
    </message>
    <message>
        <source>Valiant is already running</source>
        <translation>Valiant läuft bereits</translation>
    </message>
</context>
<context>
    <name>valiant::app::AlertDialog</name>
    <message>
        <source>Price alerts</source>
        <translation>Preisalarme</translation>
    </message>
    <message>
        <source>Active price alerts</source>
        <translation>Aktive Preisalarme</translation>
    </message>
    <message>
        <source>&amp;Remove alert</source>
        <translation>Alarm &amp;entfernen</translation>
    </message>
    <message>
        <source>Remove the selected alert</source>
        <translation>Den gewählten Alarm entfernen</translation>
    </message>
    <message>
        <source>Alert when the price is</source>
        <translation>Alarm, wenn der Preis</translation>
    </message>
    <message>
        <source>at or above</source>
        <translation>mindestens so hoch ist wie</translation>
    </message>
    <message>
        <source>at or below</source>
        <translation>höchstens so hoch ist wie</translation>
    </message>
    <message>
        <source>Alert price level</source>
        <translation>Preisschwelle des Alarms</translation>
    </message>
    <message>
        <source>&amp;Add alert</source>
        <translation>Alarm &amp;hinzufügen</translation>
    </message>
    <message>
        <source>Add the price alert</source>
        <translation>Den Preisalarm hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Level</source>
        <translation>&amp;Schwelle</translation>
    </message>
    <message>
        <source>No price alerts yet. Add one below, and the app tells you when the price reaches its level.</source>
        <translation>Noch keine Alarme. Legen Sie unten einen an, dann meldet sich die App, sobald der Preis seine Schwelle erreicht.</translation>
    </message>
    <message>
        <source>%1 Type the level like %2.</source>
        <translation>%1 Geben Sie die Schwelle wie %2 ein.</translation>
    </message>
</context>
<context>
    <name>valiant::app::CertificateDialog</name>
    <message>
        <source>Untrusted certificate</source>
        <translation>Nicht vertrauenswürdiges Zertifikat</translation>
    </message>
    <message>
        <source>The certificate of %1 could not be verified, so nothing was sent to it. Someone may be impersonating the server. Trust it only if you know it is the server&apos;s own certificate, for example by comparing the SHA-256 fingerprint with the one its administrator gave you.</source>
        <translation>Das Zertifikat von %1 konnte nicht überprüft werden, daher wurde nichts dorthin gesendet. Möglicherweise gibt sich jemand als dieser Server aus. Vertrauen Sie ihm nur, wenn Sie sicher sind, dass es das Zertifikat des Servers ist, zum Beispiel indem Sie den SHA-256-Fingerabdruck mit dem vergleichen, den Ihnen die Administration des Servers genannt hat.</translation>
    </message>
    <message>
        <source>Certificate details</source>
        <translation>Zertifikatsdetails</translation>
    </message>
    <message>
        <source>&amp;Trust for this session</source>
        <translation>Für diese Sitzung &amp;vertrauen</translation>
    </message>
    <message>
        <source>&amp;Do not connect</source>
        <translation>&amp;Nicht verbinden</translation>
    </message>
    <message>
        <source>Subject: %1</source>
        <translation>Inhaber: %1</translation>
    </message>
    <message>
        <source>Issuer: %1</source>
        <translation>Aussteller: %1</translation>
    </message>
    <message>
        <source>Valid from: %1</source>
        <translation>Gültig ab: %1</translation>
    </message>
    <message>
        <source>Valid until: %1</source>
        <translation>Gültig bis: %1</translation>
    </message>
    <message>
        <source>SHA-256 fingerprint: %1</source>
        <translation>SHA-256-Fingerabdruck: %1</translation>
    </message>
    <message>
        <source>Problems:</source>
        <translation>Probleme:</translation>
    </message>
</context>
<context>
    <name>valiant::app::ConnectionController</name>
    <message>
        <source>Log in or sign up to trade on %1.</source>
        <translation>Melden Sie sich an oder registrieren Sie sich, um auf %1 zu handeln.</translation>
    </message>
    <message>
        <source>&quot;This computer&quot; needs no login.</source>
        <translation>„Dieser Computer“ braucht keine Anmeldung.</translation>
    </message>
    <message>
        <source>Another connection was chosen before the server answered.</source>
        <translation>Eine andere Verbindung wurde gewählt, bevor der Server antwortete.</translation>
    </message>
    <message>
        <source>&quot;This computer&quot; has no login to end.</source>
        <translation>„Dieser Computer“ hat keine Anmeldung, die beendet werden könnte.</translation>
    </message>
    <message>
        <source>Your login on %1 has expired or was ended elsewhere. Log in again.</source>
        <translation>Ihre Anmeldung auf %1 ist abgelaufen oder wurde anderswo beendet. Melden Sie sich erneut an.</translation>
    </message>
    <message>
        <source>%1 at %2 cannot be reached: %3</source>
        <translation>%1 unter %2 ist nicht erreichbar: %3</translation>
    </message>
    <message>
        <source>The keychain could not be read (%1), so no saved login can be used. Log in to trade on %2.</source>
        <translation>Der Schlüsselbund konnte nicht gelesen werden (%1), daher lässt sich keine gespeicherte Anmeldung verwenden. Melden Sie sich an, um auf %2 zu handeln.</translation>
    </message>
</context>
<context>
    <name>valiant::app::ConnectionDialog</name>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <source>Connection name</source>
        <translation>Name der Verbindung</translation>
    </message>
    <message>
        <source>Server URL</source>
        <translation>Server-URL</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Only sent to the server, never saved</source>
        <translation>Wird nur an den Server gesendet, nie gespeichert</translation>
    </message>
    <message>
        <source>This computer runs its own market on this machine (local, no login). It works without a network connection.</source>
        <translation>Dieser Computer betreibt einen eigenen Markt auf diesem Gerät (lokal, ohne Anmeldung). Er funktioniert auch ohne Netzwerkverbindung.</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Server &amp;URL:</source>
        <translation>Server-&amp;URL:</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation>N&amp;eu</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>En&amp;tfernen</translation>
    </message>
    <message>
        <source>Sign u&amp;p</source>
        <translation>&amp;Registrieren</translation>
    </message>
    <message>
        <source>&amp;Log in</source>
        <translation>&amp;Anmelden</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>%1 (local)</source>
        <translation>%1 (lokal)</translation>
    </message>
    <message>
        <source>Added %1.</source>
        <translation>%1 hinzugefügt.</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>%1 gespeichert.</translation>
    </message>
    <message>
        <source>Removed %1.</source>
        <translation>%1 entfernt.</translation>
    </message>
    <message>
        <source>Type a username and a password first.</source>
        <translation>Geben Sie zuerst einen Benutzernamen und ein Passwort ein.</translation>
    </message>
    <message>
        <source>Creating the account %1 on %2…</source>
        <translation>Konto %1 wird auf %2 angelegt …</translation>
    </message>
    <message>
        <source>Logging in to %1 as %2…</source>
        <translation>Anmeldung bei %1 als %2 …</translation>
    </message>
    <message>
        <source>Account %1 created; connected to %2.</source>
        <translation>Konto %1 angelegt; mit %2 verbunden.</translation>
    </message>
    <message>
        <source>Logged in to %1 as %2.</source>
        <translation>Bei %1 als %2 angemeldet.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbindung zu %1 wird hergestellt …</translation>
    </message>
</context>
<context>
    <name>valiant::app::ConnectionOverlay</name>
    <message>
        <source>Connection status</source>
        <translation>Verbindungsstatus</translation>
    </message>
    <message>
        <source>Trading is paused until the connection is back. Your wallet and orders are kept by the server.</source>
        <translation>Der Handel ruht, bis die Verbindung zurück ist. Depot und Aufträge bewahrt der Server auf.</translation>
    </message>
    <message>
        <source>Disconnected from server, reconnecting…</source>
        <translation>Verbindung zum Server getrennt, neuer Versuch läuft …</translation>
    </message>
    <message>
        <source>Connecting to the server…</source>
        <translation>Verbindung zum Server wird hergestellt …</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Log in, or choose another connection under Server in the toolbar.</source>
        <translation>Melden Sie sich an, oder wählen Sie unter „Server“ in der Symbolleiste eine andere Verbindung.</translation>
    </message>
</context>
<context>
    <name>valiant::app::ConnectionProfiles</name>
    <message>
        <source>This computer</source>
        <translation>Dieser Computer</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a server URL. Type one such as https://valiant.example.com or http://192.0.2.10:3000.</source>
        <translation>„%1“ ist keine Server-URL. Geben Sie eine wie https://valiant.example.com oder http://192.0.2.10:3000 ein.</translation>
    </message>
    <message>
        <source>The server URL &quot;%1&quot; contains a user name, password, query or fragment. Type only the scheme, host, port and path.</source>
        <translation>Die Server-URL „%1“ enthält einen Benutzernamen, ein Passwort, eine Abfrage oder ein Fragment. Geben Sie nur Schema, Host, Port und Pfad ein.</translation>
    </message>
    <message>
        <source>The connection &quot;%1&quot; no longer exists.</source>
        <translation>Die Verbindung „%1“ existiert nicht mehr.</translation>
    </message>
    <message>
        <source>&quot;This computer&quot; is always available and cannot be removed.</source>
        <translation>„Dieser Computer“ ist immer verfügbar und kann nicht entfernt werden.</translation>
    </message>
    <message>
        <source>The connection to remove no longer exists.</source>
        <translation>Die zu entfernende Verbindung existiert nicht mehr.</translation>
    </message>
    <message>
        <source>Use either --server or --profile, not both.</source>
        <translation>Verwenden Sie entweder --server oder --profile, nicht beides.</translation>
    </message>
    <message>
        <source>No connection is named &quot;%1&quot;. Use one of: %2.</source>
        <translation>Keine Verbindung heißt „%1“. Verwenden Sie eine dieser: %2.</translation>
    </message>
    <message>
        <source>The connection needs a name, such as &quot;Office server&quot;.</source>
        <translation>Die Verbindung braucht einen Namen, etwa „Büroserver“.</translation>
    </message>
    <message>
        <source>A connection named &quot;%1&quot; already exists; choose another name.</source>
        <translation>Eine Verbindung namens „%1“ existiert bereits; wählen Sie einen anderen Namen.</translation>
    </message>
</context>
<context>
    <name>valiant::app::ConnectionToolBar</name>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation>&amp;Server:</translation>
    </message>
    <message>
        <source>Server to trade on</source>
        <translation>Server, auf dem gehandelt wird</translation>
    </message>
    <message>
        <source>Co&amp;nnections…</source>
        <translation>Ver&amp;bindungen …</translation>
    </message>
    <message>
        <source>Ctrl+Shift+N</source>
        <translation>Ctrl+Shift+N</translation>
    </message>
    <message>
        <source>Add, edit or log in to servers (%1)</source>
        <translation>Server hinzufügen, bearbeiten oder sich anmelden (%1)</translation>
    </message>
    <message>
        <source>Log &amp;out</source>
        <translation>Ab&amp;melden</translation>
    </message>
    <message>
        <source>Local market not started</source>
        <translation>Lokaler Markt nicht gestartet</translation>
    </message>
    <message>
        <source>The local market server could not start.

%1</source>
        <translation>Der lokale Marktserver konnte nicht starten.

%1</translation>
    </message>
    <message>
        <source>%1 (local)</source>
        <translation>%1 (lokal)</translation>
    </message>
    <message>
        <source>Server not reachable</source>
        <translation>Server nicht erreichbar</translation>
    </message>
    <message>
        <source>You can trade on this computer instead: a local market with its own play money, separate from %1.</source>
        <translation>Sie können stattdessen auf diesem Computer handeln: ein lokaler Markt mit eigenem Spielgeld, getrennt von %1.</translation>
    </message>
    <message>
        <source>Use this computer (local)</source>
        <translation>Diesen Computer verwenden (lokal)</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Logged in to %1 for this session only</source>
        <translation>Bei %1 nur für diese Sitzung angemeldet</translation>
    </message>
    <message>
        <source>The system keychain is not available (%1), so you will need to log in again after Valiant quits. Nothing was written to disk.</source>
        <translation>Der Schlüsselbund des Systems ist nicht verfügbar (%1), daher müssen Sie sich nach dem Beenden von Valiant erneut anmelden. Nichts wurde auf die Festplatte geschrieben.</translation>
    </message>
    <message>
        <source>Logged out on this computer only</source>
        <translation>Nur auf diesem Computer abgemeldet</translation>
    </message>
    <message>
        <source>The login was forgotten here, but the server could not be told to end the session: %1</source>
        <translation>Die Anmeldung wurde hier vergessen, aber der Server konnte nicht angewiesen werden, die Sitzung zu beenden: %1</translation>
    </message>
</context>
<context>
    <name>valiant::app::EmbeddedServer</name>
    <message>
        <source>Cannot create the data folder %1. Check that it is writable, or set XDG_DATA_HOME to a writable folder.</source>
        <translation>Der Datenordner %1 kann nicht angelegt werden. Prüfen Sie die Schreibrechte oder setzen Sie XDG_DATA_HOME auf einen beschreibbaren Ordner.</translation>
    </message>
</context>
<context>
    <name>valiant::app::InstanceLock</name>
    <message>
        <source>Cannot create the lock file in %1. Check that the folder is writable.</source>
        <translation>Die Sperrdatei in %1 kann nicht angelegt werden. Prüfen Sie, ob der Ordner beschreibbar ist.</translation>
    </message>
    <message>
        <source>Valiant is already running on this computer (process %1) with the data in %2. Switch to that window, or close it and start Valiant again.</source>
        <translation>Valiant läuft auf diesem Computer bereits (Prozess %1) mit den Daten in %2. Wechseln Sie zu diesem Fenster oder schließen Sie es und starten Sie Valiant erneut.</translation>
    </message>
</context>
<context>
    <name>valiant::app::MainWindow</name>
    <message>
        <source>Valiant — ValveCoin (VALV)</source>
        <translation>Valiant — ValveCoin (VALV)</translation>
    </message>
    <message>
        <source>PRICE · LAST 60 SECONDS</source>
        <translation>KURS · LETZTE 60 SEKUNDEN</translation>
    </message>
    <message>
        <source>ORDER HISTORY</source>
        <translation>AUFTRAGSVERLAUF</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>Verbindungsstatus</translation>
    </message>
    <message>
        <source>Time of the last price</source>
        <translation>Zeit des letzten Kurses</translation>
    </message>
    <message>
        <source>The server closed the live stream: %1</source>
        <translation>Der Server hat den Live-Datenstrom beendet: %1</translation>
    </message>
    <message>
        <source>Bought %1 VALV at %2 per share, %3 in total.</source>
        <translation>%1 VALV zu %2 je Anteil gekauft, insgesamt %3.</translation>
    </message>
    <message>
        <source>Sold %1 VALV at %2 per share, %3 in total.</source>
        <translation>%1 VALV zu %2 je Anteil verkauft, insgesamt %3.</translation>
    </message>
    <message>
        <source>Order not placed. %1</source>
        <translation>Auftrag nicht ausgeführt. %1</translation>
    </message>
    <message>
        <source>Praising the sun failed. %1</source>
        <translation>Die Sonne zu preisen ist fehlgeschlagen. %1</translation>
    </message>
    <message>
        <source>The sun is praised, but it pays $0.10 per share and you hold none.</source>
        <translation>Die Sonne ist gepriesen, aber sie zahlt 0,10 $ je Anteil, und Sie halten keine.</translation>
    </message>
    <message>
        <source>The sun is praised: %1 for your %2 VALV.</source>
        <translation>Die Sonne ist gepriesen: %1 für Ihre %2 VALV.</translation>
    </message>
    <message>
        <source>Could not load the order history. %1</source>
        <translation>Der Auftragsverlauf konnte nicht geladen werden. %1</translation>
    </message>
    <message>
        <source>Could not load the wallet. %1</source>
        <translation>Das Depot konnte nicht geladen werden. %1</translation>
    </message>
    <message>
        <source>Last price at %1</source>
        <translation>Letzter Kurs um %1</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation>Verbunden: %1</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbindung zu %1 wird hergestellt …</translation>
    </message>
    <message>
        <source>Disconnected from %1, reconnecting…</source>
        <translation>Verbindung zu %1 getrennt, neuer Versuch läuft …</translation>
    </message>
    <message>
        <source>Disconnected from %1</source>
        <translation>Verbindung zu %1 getrennt</translation>
    </message>
    <message>
        <source>Valiant price alert</source>
        <translation>Valiant-Preisalarm</translation>
    </message>
    <message>
        <source>%1: VALV is at %2.</source>
        <translation>%1: VALV steht bei %2.</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Export order history as CSV…</source>
        <translation>Auftragsverlauf als CSV &amp;exportieren …</translation>
    </message>
    <message>
        <source>Load &amp;older orders</source>
        <translation>&amp;Ältere Aufträge laden</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Last &amp;minute (live)</source>
        <translation>Letzte &amp;Minute (live)</translation>
    </message>
    <message>
        <source>Last &amp;hour</source>
        <translation>Letzte &amp;Stunde</translation>
    </message>
    <message>
        <source>Last &amp;day</source>
        <translation>Letzter &amp;Tag</translation>
    </message>
    <message>
        <source>High &amp;contrast</source>
        <translation>Hoher &amp;Kontrast</translation>
    </message>
    <message>
        <source>&amp;Alerts</source>
        <translation>A&amp;larme</translation>
    </message>
    <message>
        <source>&amp;Price alerts…</source>
        <translation>&amp;Preisalarme …</translation>
    </message>
    <message>
        <source>PRICE · LAST HOUR</source>
        <translation>PREIS · LETZTE STUNDE</translation>
    </message>
    <message>
        <source>PRICE · LAST DAY</source>
        <translation>PREIS · LETZTER TAG</translation>
    </message>
    <message>
        <source>Could not load the price history. %1</source>
        <translation>Der Preisverlauf konnte nicht geladen werden. %1</translation>
    </message>
    <message>
        <source>Buy and Sell wait for the first live price.</source>
        <translation>Kaufen und Verkaufen warten auf den ersten Live-Preis.</translation>
    </message>
    <message numerus="yes">
        <source>Buy and Sell are paused: the last price arrived %n second(s) ago, so it may no longer be the market price.</source>
        <translation>
            <numerusform>Kaufen und Verkaufen pausieren: Der letzte Preis kam vor %n Sekunde, er ist vielleicht nicht mehr der Marktpreis.</numerusform>
            <numerusform>Kaufen und Verkaufen pausieren: Der letzte Preis kam vor %n Sekunden, er ist vielleicht nicht mehr der Marktpreis.</numerusform>
        </translation>
    </message>
    <message>
        <source>Export order history</source>
        <translation>Auftragsverlauf exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Could not export the order history. %1</source>
        <translation>Der Auftragsverlauf konnte nicht exportiert werden. %1</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) exported to %1.</source>
        <translation>
            <numerusform>%n Auftrag nach %1 exportiert.</numerusform>
            <numerusform>%n Aufträge nach %1 exportiert.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>valiant::app::MarketStatsView</name>
    <message>
        <source>MARKET · LAST 60 SECONDS</source>
        <translation>MARKT · LETZTE 60 SEKUNDEN</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Eröffnung</translation>
    </message>
    <message>
        <source>High</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Tief</translation>
    </message>
    <message>
        <source>Quotes</source>
        <translation>Kurse</translation>
    </message>
</context>
<context>
    <name>valiant::app::MessageBar</name>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <source>Close message</source>
        <translation>Meldung schließen</translation>
    </message>
</context>
<context>
    <name>valiant::app::MoneyInput</name>
    <message>
        <source>&quot;%1&quot; is not above zero.</source>
        <translation>„%1“ ist nicht größer als null.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; has &quot;%2&quot; in the wrong place: &quot;%2&quot; only groups thousands here, and the decimal separator is &quot;%3&quot;.</source>
        <translation>„%1“ enthält „%2“ an der falschen Stelle: „%2“ trennt hier nur Tausender, und das Dezimaltrennzeichen ist „%3“.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; has more than two decimals.</source>
        <translation>„%1“ hat mehr als zwei Nachkommastellen.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is too large.</source>
        <translation>„%1“ ist zu groß.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an amount.</source>
        <translation>„%1“ ist kein Betrag.</translation>
    </message>
    <message>
        <source>The field is empty.</source>
        <translation>Das Feld ist leer.</translation>
    </message>
</context>
<context>
    <name>valiant::app::OrderCsv</name>
    <message>
        <source>Could not write the order history to %1: %2. Choose a folder you can write to.</source>
        <translation>Der Auftragsverlauf konnte nicht nach %1 geschrieben werden: %2. Wählen Sie einen beschreibbaren Ordner.</translation>
    </message>
</context>
<context>
    <name>valiant::app::OrderHistoryModel</name>
    <message>
        <source>%1 %2 shares at %3, total %4</source>
        <translation>%1 %2 Anteile zu %3, insgesamt %4</translation>
    </message>
    <message>
        <source>▲ Buy</source>
        <translation>▲ Kauf</translation>
    </message>
    <message>
        <source>▼ Sell</source>
        <translation>▼ Verkauf</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Side</source>
        <translation>Richtung</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Menge</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Kurs</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Summe</translation>
    </message>
</context>
<context>
    <name>valiant::app::OrderHistoryView</name>
    <message>
        <source>Order history, newest first</source>
        <translation>Auftragsverlauf, neueste zuerst</translation>
    </message>
    <message>
        <source>No orders yet. Press B to buy or S to sell at the live price.</source>
        <translation>Noch keine Aufträge. B kauft, S verkauft zum aktuellen Kurs.</translation>
    </message>
</context>
<context>
    <name>valiant::app::PriceAlerts</name>
    <message>
        <source>Price at or above %1</source>
        <translation>Preis mindestens %1</translation>
    </message>
    <message>
        <source>Price at or below %1</source>
        <translation>Preis höchstens %1</translation>
    </message>
</context>
<context>
    <name>valiant::app::PriceChart</name>
    <message>
        <source>Price chart of the last 60 seconds</source>
        <translation type="vanished">Kursverlauf der letzten 60 Sekunden</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation type="vanished">%1 um %2</translation>
    </message>
    <message>
        <source>Price chart of the last minute</source>
        <translation>Preisdiagramm der letzten Minute</translation>
    </message>
    <message>
        <source>Price chart of the last hour</source>
        <translation>Preisdiagramm der letzten Stunde</translation>
    </message>
    <message>
        <source>Price chart of the last day</source>
        <translation>Preisdiagramm des letzten Tages</translation>
    </message>
    <message>
        <source>%1
%2 local time
%3 UTC</source>
        <translation>%1
%2 Ortszeit
%3 UTC</translation>
    </message>
    <message>
        <source>Waiting for prices…</source>
        <translation>Warte auf Preise …</translation>
    </message>
    <message>
        <source>Loading the price history…</source>
        <translation>Preisverlauf wird geladen …</translation>
    </message>
    <message>
        <source>no prices</source>
        <translation>keine Preise</translation>
    </message>
</context>
<context>
    <name>valiant::app::QuoteHeader</name>
    <message>
        <source>ValveCoin</source>
        <translation>ValveCoin</translation>
    </message>
    <message>
        <source>VALV · simulated market</source>
        <translation>VALV · simulierter Markt</translation>
    </message>
    <message>
        <source>Live price</source>
        <translation>Aktueller Kurs</translation>
    </message>
    <message>
        <source>Waiting for the first price…</source>
        <translation>Warten auf den ersten Kurs …</translation>
    </message>
    <message>
        <source>Price change</source>
        <translation>Kursänderung</translation>
    </message>
    <message>
        <source>change over the last 60 seconds</source>
        <translation>Änderung in den letzten 60 Sekunden</translation>
    </message>
    <message>
        <source>%1%</source>
        <comment>a percentage such as +0.84%</comment>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>up</source>
        <translation>gestiegen</translation>
    </message>
    <message>
        <source>down</source>
        <translation>gefallen</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>unverändert</translation>
    </message>
    <message>
        <source>%1 by %2, %3 percent, over the last 60 seconds</source>
        <translation>%1 um %2, %3 Prozent, in den letzten 60 Sekunden</translation>
    </message>
    <message>
        <source>Valiant</source>
        <translation>Valiant</translation>
    </message>
</context>
<context>
    <name>valiant::app::TokenKeychain</name>
    <message>
        <source>Saving the login</source>
        <translation>Speichern der Anmeldung</translation>
    </message>
    <message>
        <source>Reading the saved login</source>
        <translation>Lesen der gespeicherten Anmeldung</translation>
    </message>
    <message>
        <source>Removing the saved login</source>
        <translation>Entfernen der gespeicherten Anmeldung</translation>
    </message>
    <message>
        <source>%1 failed: the keychain service did not answer within %2 seconds.</source>
        <translation>%1 fehlgeschlagen: Der Schlüsselbund-Dienst hat nicht innerhalb von %2 Sekunden geantwortet.</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
</context>
<context>
    <name>valiant::app::TradePanel</name>
    <message>
        <source>TRADE</source>
        <translation>HANDEL</translation>
    </message>
    <message>
        <source>&amp;Quantity (shares)</source>
        <translation>&amp;Menge (Anteile)</translation>
    </message>
    <message>
        <source>Quantity in shares</source>
        <translation>Menge in Anteilen</translation>
    </message>
    <message>
        <source>Number of shares to buy or sell, from 1 to 1,000,000</source>
        <translation>Anzahl der zu kaufenden oder verkaufenden Anteile, 1 bis 1.000.000</translation>
    </message>
    <message>
        <source>Estimated order total</source>
        <translation>Geschätzte Auftragssumme</translation>
    </message>
    <message>
        <source>Buy  (B)</source>
        <translation>Kaufen  (B)</translation>
    </message>
    <message>
        <source>Buy</source>
        <translation>Kaufen</translation>
    </message>
    <message>
        <source>Buy the quantity at the live price. Shortcut: B</source>
        <translation>Die Menge zum aktuellen Kurs kaufen. Tastenkürzel: B</translation>
    </message>
    <message>
        <source>Sell  (S)</source>
        <translation>Verkaufen  (S)</translation>
    </message>
    <message>
        <source>Sell</source>
        <translation>Verkaufen</translation>
    </message>
    <message>
        <source>Sell the quantity at the live price. Shortcut: S</source>
        <translation>Die Menge zum aktuellen Kurs verkaufen. Tastenkürzel: S</translation>
    </message>
    <message>
        <source>☀  Praise the sun  (Space)</source>
        <translation>☀  Preiset die Sonne  (Leertaste)</translation>
    </message>
    <message>
        <source>Praise the sun</source>
        <translation>Preiset die Sonne</translation>
    </message>
    <message>
        <source>Earn $0.10 for every share you hold. Shortcut: Space</source>
        <translation>0,10 $ für jeden gehaltenen Anteil. Tastenkürzel: Leertaste</translation>
    </message>
    <message>
        <source>Estimated total: waiting for a price</source>
        <translation>Geschätzte Summe: warten auf einen Kurs</translation>
    </message>
    <message>
        <source>Estimated total: too large to compute</source>
        <translation>Geschätzte Summe: zu groß zum Berechnen</translation>
    </message>
    <message>
        <source>Estimated total: %1 at %2 per share</source>
        <translation>Geschätzte Summe: %1 zu %2 je Anteil</translation>
    </message>
    <message>
        <source>&amp;Limit price per share (optional)</source>
        <translation>&amp;Limitpreis je Anteil (optional)</translation>
    </message>
    <message>
        <source>Limit price per share</source>
        <translation>Limitpreis je Anteil</translation>
    </message>
    <message>
        <source>Any price</source>
        <translation>Beliebiger Preis</translation>
    </message>
    <message>
        <source>The most a buy pays or the least a sell takes per share. Leave empty to trade at the live price.</source>
        <translation>Höchstens so viel zahlt ein Kauf, mindestens so viel nimmt ein Verkauf je Anteil. Leer lassen, um zum Live-Preis zu handeln.</translation>
    </message>
    <message>
        <source>Trading status</source>
        <translation>Handelsstatus</translation>
    </message>
    <message>
        <source>Buying…</source>
        <translation>Kaufe …</translation>
    </message>
    <message>
        <source>Selling…</source>
        <translation>Verkaufe …</translation>
    </message>
    <message>
        <source>Waiting for the server to confirm the order…</source>
        <translation>Warte auf die Bestätigung des Auftrags durch den Server …</translation>
    </message>
    <message>
        <source>Limit price: %1 Type it like %2, or leave it empty to trade at any price.</source>
        <translation>Limitpreis: %1 Geben Sie ihn wie %2 ein oder lassen Sie das Feld leer, um zu jedem Preis zu handeln.</translation>
    </message>
    <message>
        <source>Estimated total: %1 at %2 per share, with a limit of %3 per share</source>
        <translation>Geschätzte Summe: %1 zu %2 je Anteil, mit einem Limit von %3 je Anteil</translation>
    </message>
</context>
<context>
    <name>valiant::app::WalletView</name>
    <message>
        <source>WALLET</source>
        <translation>DEPOT</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Guthaben</translation>
    </message>
    <message>
        <source>Cash balance</source>
        <translation>Kontoguthaben</translation>
    </message>
    <message>
        <source>Shares</source>
        <translation>Anteile</translation>
    </message>
    <message>
        <source>Shares held</source>
        <translation>Gehaltene Anteile</translation>
    </message>
    <message>
        <source>Market value</source>
        <translation>Marktwert</translation>
    </message>
    <message>
        <source>Market value of the shares</source>
        <translation>Marktwert der Anteile</translation>
    </message>
    <message>
        <source>Cost basis</source>
        <translation>Einstandswert</translation>
    </message>
    <message>
        <source>What the shares held cost</source>
        <translation>Was die gehaltenen Anteile gekostet haben</translation>
    </message>
    <message>
        <source>Profit and loss</source>
        <translation>Gewinn und Verlust</translation>
    </message>
</context>
</TS>
