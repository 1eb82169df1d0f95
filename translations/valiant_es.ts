<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES" sourcelanguage="en">
<context>
    <name>valiant::app::ConnectionOverlay</name>
    <message>
        <source>Connection status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trading is paused until the connection is back. Your wallet and orders are kept by the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnected from server, reconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to the server…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>valiant::app::EmbeddedServer</name>
    <message>
        <source>Cannot create the data folder %1. Check that it is writable, or set XDG_DATA_HOME to a writable folder.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>valiant::app::MainWindow</name>
    <message>
        <source>Valiant — ValveCoin (VALV)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PRICE · LAST 60 SECONDS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ORDER HISTORY</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time of the last price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server closed the live stream: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bought %1 VALV at %2 per share, %3 in total.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sold %1 VALV at %2 per share, %3 in total.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order not placed. %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Praising the sun failed. %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sun is praised, but it pays $0.10 per share and you hold none.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sun is praised: %1 for your %2 VALV.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not load the order history. %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not load the wallet. %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last price at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnected from %1, reconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnected from %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>valiant::app::MessageBar</name>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>valiant::app::OrderHistoryModel</name>
    <message>
        <source>%1 %2 shares at %3, total %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>▲ Buy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>▼ Sell</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>valiant::app::OrderHistoryView</name>
    <message>
        <source>Order history, newest first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No orders yet. Press B to buy or S to sell at the live price.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>valiant::app::PriceChart</name>
    <message>
        <source>Price chart of the last 60 seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>valiant::app::QuoteHeader</name>
    <message>
        <source>ValveCoin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VALV · simulated market</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the first price…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Price change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>change over the last 60 seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1%</source>
        <comment>a percentage such as +0.84%</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 by %2, %3 percent, over the last 60 seconds</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>valiant::app::TradePanel</name>
    <message>
        <source>TRADE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quantity (shares)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantity in shares</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number of shares to buy or sell, from 1 to 1,000,000</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimated order total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buy  (B)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buy the quantity at the live price. Shortcut: B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sell  (S)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sell</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sell the quantity at the live price. Shortcut: S</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>☀  Praise the sun  (Space)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Praise the sun</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Earn $0.10 for every share you hold. Shortcut: Space</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimated total: waiting for a price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimated total: too large to compute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimated total: %1 at %2 per share</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>valiant::app::WalletView</name>
    <message>
        <source>WALLET</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cash balance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shares</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shares held</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Market value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Market value of the shares</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cost basis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the shares held cost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profit and loss</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
