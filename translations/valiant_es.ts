<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES" sourcelanguage="en">
<context>
    <name>main</name>
    <message>
        <source>Valiant cannot start</source>
        <translation>Valiant no puede iniciarse</translation>
    </message>
    <message>
        <source>The local market server could not start, so there is nothing to trade on.

%1

Database file: %2</source>
        <translation>El servidor de mercado local no pudo iniciarse, así que no hay nada con lo que operar.

%1

Archivo de base de datos: %2</translation>
    </message>
    <message>
        <source>this computer</source>
        <translation>este ordenador</translation>
    </message>
</context>
<context>
    <name>valiant::app::ConnectionOverlay</name>
    <message>
        <source>Connection status</source>
        <translation>Estado de la conexión</translation>
    </message>
    <message>
        <source>Trading is paused until the connection is back. Your wallet and orders are kept by the server.</source>
        <translation>Las operaciones quedan en pausa hasta que vuelva la conexión. El servidor conserva tu cartera y tus órdenes.</translation>
    </message>
    <message>
        <source>Disconnected from server, reconnecting…</source>
        <translation>Desconectado del servidor, reconectando…</translation>
    </message>
    <message>
        <source>Connecting to the server…</source>
        <translation>Conectando con el servidor…</translation>
    </message>
</context>
<context>
    <name>valiant::app::EmbeddedServer</name>
    <message>
        <source>Cannot create the data folder %1. Check that it is writable, or set XDG_DATA_HOME to a writable folder.</source>
        <translation>No se puede crear la carpeta de datos %1. Comprueba que se pueda escribir en ella o apunta XDG_DATA_HOME a una carpeta con permiso de escritura.</translation>
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
        <translation>PRECIO · ÚLTIMOS 60 SEGUNDOS</translation>
    </message>
    <message>
        <source>ORDER HISTORY</source>
        <translation>HISTORIAL DE ÓRDENES</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>Estado de la conexión</translation>
    </message>
    <message>
        <source>Time of the last price</source>
        <translation>Hora del último precio</translation>
    </message>
    <message>
        <source>The server closed the live stream: %1</source>
        <translation>El servidor cerró el flujo en vivo: %1</translation>
    </message>
    <message>
        <source>Bought %1 VALV at %2 per share, %3 in total.</source>
        <translation>Compradas %1 VALV a %2 por acción, %3 en total.</translation>
    </message>
    <message>
        <source>Sold %1 VALV at %2 per share, %3 in total.</source>
        <translation>Vendidas %1 VALV a %2 por acción, %3 en total.</translation>
    </message>
    <message>
        <source>Order not placed. %1</source>
        <translation>Orden no ejecutada. %1</translation>
    </message>
    <message>
        <source>Praising the sun failed. %1</source>
        <translation>No se pudo alabar al sol. %1</translation>
    </message>
    <message>
        <source>The sun is praised, but it pays $0.10 per share and you hold none.</source>
        <translation>El sol ha sido alabado, pero paga 0,10 $ por acción y no tienes ninguna.</translation>
    </message>
    <message>
        <source>The sun is praised: %1 for your %2 VALV.</source>
        <translation>El sol ha sido alabado: %1 por tus %2 VALV.</translation>
    </message>
    <message>
        <source>Could not load the order history. %1</source>
        <translation>No se pudo cargar el historial de órdenes. %1</translation>
    </message>
    <message>
        <source>Could not load the wallet. %1</source>
        <translation>No se pudo cargar la cartera. %1</translation>
    </message>
    <message>
        <source>Last price at %1</source>
        <translation>Último precio a las %1</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation>Conectado a %1</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Conectando con %1…</translation>
    </message>
    <message>
        <source>Disconnected from %1, reconnecting…</source>
        <translation>Desconectado de %1, reconectando…</translation>
    </message>
    <message>
        <source>Disconnected from %1</source>
        <translation>Desconectado de %1</translation>
    </message>
</context>
<context>
    <name>valiant::app::MarketStatsView</name>
    <message>
        <source>MARKET · LAST 60 SECONDS</source>
        <translation>MERCADO · ÚLTIMOS 60 SEGUNDOS</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Apertura</translation>
    </message>
    <message>
        <source>High</source>
        <translation>Máximo</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Mínimo</translation>
    </message>
    <message>
        <source>Quotes</source>
        <translation>Cotizaciones</translation>
    </message>
</context>
<context>
    <name>valiant::app::MessageBar</name>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <source>Close message</source>
        <translation>Cerrar mensaje</translation>
    </message>
</context>
<context>
    <name>valiant::app::OrderHistoryModel</name>
    <message>
        <source>%1 %2 shares at %3, total %4</source>
        <translation>%1 %2 acciones a %3, total %4</translation>
    </message>
    <message>
        <source>▲ Buy</source>
        <translation>▲ Compra</translation>
    </message>
    <message>
        <source>▼ Sell</source>
        <translation>▼ Venta</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Side</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Cantidad</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Precio</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
</context>
<context>
    <name>valiant::app::OrderHistoryView</name>
    <message>
        <source>Order history, newest first</source>
        <translation>Historial de órdenes, las más recientes primero</translation>
    </message>
    <message>
        <source>No orders yet. Press B to buy or S to sell at the live price.</source>
        <translation>Aún no hay órdenes. Pulsa B para comprar o S para vender al precio actual.</translation>
    </message>
</context>
<context>
    <name>valiant::app::PriceChart</name>
    <message>
        <source>Price chart of the last 60 seconds</source>
        <translation>Gráfico de precios de los últimos 60 segundos</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1 a las %2</translation>
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
        <translation>VALV · mercado simulado</translation>
    </message>
    <message>
        <source>Live price</source>
        <translation>Precio actual</translation>
    </message>
    <message>
        <source>Waiting for the first price…</source>
        <translation>Esperando el primer precio…</translation>
    </message>
    <message>
        <source>Price change</source>
        <translation>Variación del precio</translation>
    </message>
    <message>
        <source>change over the last 60 seconds</source>
        <translation>variación en los últimos 60 segundos</translation>
    </message>
    <message>
        <source>%1%</source>
        <comment>a percentage such as +0.84%</comment>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>up</source>
        <translation>sube</translation>
    </message>
    <message>
        <source>down</source>
        <translation>baja</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>sin cambios</translation>
    </message>
    <message>
        <source>%1 by %2, %3 percent, over the last 60 seconds</source>
        <translation>%1 %2, un %3 por ciento, en los últimos 60 segundos</translation>
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
        <translation>OPERAR</translation>
    </message>
    <message>
        <source>&amp;Quantity (shares)</source>
        <translation>&amp;Cantidad (acciones)</translation>
    </message>
    <message>
        <source>Quantity in shares</source>
        <translation>Cantidad en acciones</translation>
    </message>
    <message>
        <source>Number of shares to buy or sell, from 1 to 1,000,000</source>
        <translation>Número de acciones para comprar o vender, de 1 a 1.000.000</translation>
    </message>
    <message>
        <source>Estimated order total</source>
        <translation>Total estimado de la orden</translation>
    </message>
    <message>
        <source>Buy  (B)</source>
        <translation>Comprar  (B)</translation>
    </message>
    <message>
        <source>Buy</source>
        <translation>Comprar</translation>
    </message>
    <message>
        <source>Buy the quantity at the live price. Shortcut: B</source>
        <translation>Compra la cantidad al precio actual. Atajo: B</translation>
    </message>
    <message>
        <source>Sell  (S)</source>
        <translation>Vender  (S)</translation>
    </message>
    <message>
        <source>Sell</source>
        <translation>Vender</translation>
    </message>
    <message>
        <source>Sell the quantity at the live price. Shortcut: S</source>
        <translation>Vende la cantidad al precio actual. Atajo: S</translation>
    </message>
    <message>
        <source>☀  Praise the sun  (Space)</source>
        <translation>☀  Alabar al sol  (Espacio)</translation>
    </message>
    <message>
        <source>Praise the sun</source>
        <translation>Alabar al sol</translation>
    </message>
    <message>
        <source>Earn $0.10 for every share you hold. Shortcut: Space</source>
        <translation>Gana 0,10 $ por cada acción que tengas. Atajo: Espacio</translation>
    </message>
    <message>
        <source>Estimated total: waiting for a price</source>
        <translation>Total estimado: esperando un precio</translation>
    </message>
    <message>
        <source>Estimated total: too large to compute</source>
        <translation>Total estimado: demasiado grande para calcularlo</translation>
    </message>
    <message>
        <source>Estimated total: %1 at %2 per share</source>
        <translation>Total estimado: %1 a %2 por acción</translation>
    </message>
</context>
<context>
    <name>valiant::app::WalletView</name>
    <message>
        <source>WALLET</source>
        <translation>CARTERA</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Efectivo</translation>
    </message>
    <message>
        <source>Cash balance</source>
        <translation>Saldo en efectivo</translation>
    </message>
    <message>
        <source>Shares</source>
        <translation>Acciones</translation>
    </message>
    <message>
        <source>Shares held</source>
        <translation>Acciones en cartera</translation>
    </message>
    <message>
        <source>Market value</source>
        <translation>Valor de mercado</translation>
    </message>
    <message>
        <source>Market value of the shares</source>
        <translation>Valor de mercado de las acciones</translation>
    </message>
    <message>
        <source>Cost basis</source>
        <translation>Coste</translation>
    </message>
    <message>
        <source>What the shares held cost</source>
        <translation>Lo que costaron las acciones en cartera</translation>
    </message>
    <message>
        <source>Profit and loss</source>
        <translation>Ganancias y pérdidas</translation>
    </message>
</context>
</TS>
