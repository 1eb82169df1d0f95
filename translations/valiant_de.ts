<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE" sourcelanguage="en">
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
        <translation>diesem Computer</translation>
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
</context>
<context>
    <name>valiant::app::EmbeddedServer</name>
    <message>
        <source>Cannot create the data folder %1. Check that it is writable, or set XDG_DATA_HOME to a writable folder.</source>
        <translation>Der Datenordner %1 kann nicht angelegt werden. Prüfen Sie die Schreibrechte oder setzen Sie XDG_DATA_HOME auf einen beschreibbaren Ordner.</translation>
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
        <translation>Verbunden mit %1</translation>
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
    <name>valiant::app::PriceChart</name>
    <message>
        <source>Price chart of the last 60 seconds</source>
        <translation>Kursverlauf der letzten 60 Sekunden</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1 um %2</translation>
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
