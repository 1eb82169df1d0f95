<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES" sourcelanguage="en">
<context>
    <name>ServerError</name>
    <message>
        <source>You do not have enough cash for this order.</source>
        <translation>No tiene suficiente efectivo para esta orden.</translation>
    </message>
    <message>
        <source>You do not hold that many shares.</source>
        <translation>No tiene tantas acciones.</translation>
    </message>
    <message>
        <source>The price is beyond your limit price, so the order was not executed.</source>
        <translation>El precio no cumple su precio límite, así que la orden no se ejecutó.</translation>
    </message>
    <message>
        <source>No price exists yet. Wait for the first quote.</source>
        <translation>Todavía no hay precio. Espere la primera cotización.</translation>
    </message>
    <message>
        <source>The quantity must be a whole number from 1 to 1,000,000.</source>
        <translation>La cantidad debe ser un número entero de 1 a 1.000.000.</translation>
    </message>
    <message>
        <source>The limit price must be a positive amount in dollars and cents.</source>
        <translation>El precio límite debe ser un importe positivo en dólares y centavos.</translation>
    </message>
    <message>
        <source>The amount is too large for an account.</source>
        <translation>El importe es demasiado grande para una cuenta.</translation>
    </message>
    <message>
        <source>Too many requests at once. Wait a moment and try again.</source>
        <translation>Demasiadas solicitudes a la vez. Espere un momento y vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>The server cannot reach its database. Try again in a moment.</source>
        <translation>El servidor no puede acceder a su base de datos. Vuelva a intentarlo en un momento.</translation>
    </message>
    <message>
        <source>The server&apos;s disk is full. Try again later.</source>
        <translation>El disco del servidor está lleno. Vuelva a intentarlo más tarde.</translation>
    </message>
    <message>
        <source>The server is shutting down. Connect again in a moment.</source>
        <translation>El servidor se está apagando. Vuelva a conectarse en un momento.</translation>
    </message>
    <message>
        <source>Your session has ended. Log in again.</source>
        <translation>Su sesión ha terminado. Inicie sesión de nuevo.</translation>
    </message>
    <message>
        <source>The server cannot be reached. Check the connection and try again.</source>
        <translation>No se puede contactar con el servidor. Compruebe la conexión y vuelva a intentarlo.</translation>
    </message>
</context>
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
        <translation type="vanished">este ordenador</translation>
    </message>
    <message>
        <source>Valiant is already running</source>
        <translation>Valiant ya se está ejecutando</translation>
    </message>
</context>
<context>
    <name>valiant::app::AlertDialog</name>
    <message>
        <source>Price alerts</source>
        <translation>Alertas de precio</translation>
    </message>
    <message>
        <source>Active price alerts</source>
        <translation>Alertas de precio activas</translation>
    </message>
    <message>
        <source>&amp;Remove alert</source>
        <translation>&amp;Quitar alerta</translation>
    </message>
    <message>
        <source>Remove the selected alert</source>
        <translation>Quitar la alerta seleccionada</translation>
    </message>
    <message>
        <source>Alert when the price is</source>
        <translation>Avisar cuando el precio esté</translation>
    </message>
    <message>
        <source>at or above</source>
        <translation>en o por encima de</translation>
    </message>
    <message>
        <source>at or below</source>
        <translation>en o por debajo de</translation>
    </message>
    <message>
        <source>Alert price level</source>
        <translation>Nivel de precio de la alerta</translation>
    </message>
    <message>
        <source>&amp;Add alert</source>
        <translation>&amp;Añadir alerta</translation>
    </message>
    <message>
        <source>Add the price alert</source>
        <translation>Añadir la alerta de precio</translation>
    </message>
    <message>
        <source>&amp;Level</source>
        <translation>&amp;Nivel</translation>
    </message>
    <message>
        <source>No price alerts yet. Add one below, and the app tells you when the price reaches its level.</source>
        <translation>Todavía no hay alertas de precio. Añada una abajo y la aplicación le avisará cuando el precio alcance su nivel.</translation>
    </message>
    <message>
        <source>%1 Type the level like %2.</source>
        <translation>%1 Escriba el nivel como %2.</translation>
    </message>
</context>
<context>
    <name>valiant::app::CertificateDialog</name>
    <message>
        <source>Untrusted certificate</source>
        <translation>Certificado no fiable</translation>
    </message>
    <message>
        <source>The certificate of %1 could not be verified, so nothing was sent to it. Someone may be impersonating the server. Trust it only if you know it is the server&apos;s own certificate, for example by comparing the SHA-256 fingerprint with the one its administrator gave you.</source>
        <translation>No se pudo verificar el certificado de %1, así que no se le envió nada. Alguien podría estar suplantando al servidor. Confíe en él solo si sabe que es el certificado propio del servidor, por ejemplo comparando la huella SHA-256 con la que le dio su administrador.</translation>
    </message>
    <message>
        <source>Certificate details</source>
        <translation>Detalles del certificado</translation>
    </message>
    <message>
        <source>&amp;Trust for this session</source>
        <translation>&amp;Confiar durante esta sesión</translation>
    </message>
    <message>
        <source>&amp;Do not connect</source>
        <translation>&amp;No conectar</translation>
    </message>
    <message>
        <source>Subject: %1</source>
        <translation>Titular: %1</translation>
    </message>
    <message>
        <source>Issuer: %1</source>
        <translation>Emisor: %1</translation>
    </message>
    <message>
        <source>Valid from: %1</source>
        <translation>Válido desde: %1</translation>
    </message>
    <message>
        <source>Valid until: %1</source>
        <translation>Válido hasta: %1</translation>
    </message>
    <message>
        <source>SHA-256 fingerprint: %1</source>
        <translation>Huella SHA-256: %1</translation>
    </message>
    <message>
        <source>Problems:</source>
        <translation>Problemas:</translation>
    </message>
</context>
<context>
    <name>valiant::app::ConnectionController</name>
    <message>
        <source>Log in or sign up to trade on %1.</source>
        <translation>Inicie sesión o regístrese para operar en %1.</translation>
    </message>
    <message>
        <source>&quot;This computer&quot; needs no login.</source>
        <translation>«Este ordenador» no necesita inicio de sesión.</translation>
    </message>
    <message>
        <source>Another connection was chosen before the server answered.</source>
        <translation>Se eligió otra conexión antes de que respondiera el servidor.</translation>
    </message>
    <message>
        <source>&quot;This computer&quot; has no login to end.</source>
        <translation>«Este ordenador» no tiene ninguna sesión que cerrar.</translation>
    </message>
    <message>
        <source>Your login on %1 has expired or was ended elsewhere. Log in again.</source>
        <translation>Su sesión en %1 ha caducado o se cerró en otro lugar. Vuelva a iniciar sesión.</translation>
    </message>
    <message>
        <source>%1 at %2 cannot be reached: %3</source>
        <translation>No se puede acceder a %1 en %2: %3</translation>
    </message>
    <message>
        <source>The keychain could not be read (%1), so no saved login can be used. Log in to trade on %2.</source>
        <translation>No se pudo leer el llavero (%1), así que no se puede usar ningún inicio de sesión guardado. Inicie sesión para operar en %2.</translation>
    </message>
</context>
<context>
    <name>valiant::app::ConnectionDialog</name>
    <message>
        <source>Connections</source>
        <translation>Conexiones</translation>
    </message>
    <message>
        <source>Connection name</source>
        <translation>Nombre de la conexión</translation>
    </message>
    <message>
        <source>Server URL</source>
        <translation>URL del servidor</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Nombre de usuario</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <source>Only sent to the server, never saved</source>
        <translation>Solo se envía al servidor, nunca se guarda</translation>
    </message>
    <message>
        <source>This computer runs its own market on this machine (local, no login). It works without a network connection.</source>
        <translation>Este ordenador ejecuta su propio mercado en esta máquina (local, sin inicio de sesión). Funciona sin conexión de red.</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>Server &amp;URL:</source>
        <translation>URL &amp;del servidor:</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>Nombre de &amp;usuario:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Contraseña:</translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation>Nue&amp;vo</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Guardar</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Eliminar</translation>
    </message>
    <message>
        <source>Sign u&amp;p</source>
        <translation>&amp;Registrarse</translation>
    </message>
    <message>
        <source>&amp;Log in</source>
        <translation>Iniciar &amp;sesión</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>C&amp;onectar</translation>
    </message>
    <message>
        <source>%1 (local)</source>
        <translation>%1 (local)</translation>
    </message>
    <message>
        <source>Added %1.</source>
        <translation>Se añadió %1.</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>Se guardó %1.</translation>
    </message>
    <message>
        <source>Removed %1.</source>
        <translation>Se eliminó %1.</translation>
    </message>
    <message>
        <source>Type a username and a password first.</source>
        <translation>Escriba primero un nombre de usuario y una contraseña.</translation>
    </message>
    <message>
        <source>Creating the account %1 on %2…</source>
        <translation>Creando la cuenta %1 en %2…</translation>
    </message>
    <message>
        <source>Logging in to %1 as %2…</source>
        <translation>Iniciando sesión en %1 como %2…</translation>
    </message>
    <message>
        <source>Account %1 created; connected to %2.</source>
        <translation>Cuenta %1 creada; conectado a %2.</translation>
    </message>
    <message>
        <source>Logged in to %1 as %2.</source>
        <translation>Sesión iniciada en %1 como %2.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Conectando con %1…</translation>
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
    <message>
        <source>Not connected</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <source>Log in, or choose another connection under Server in the toolbar.</source>
        <translation>Inicie sesión o elija otra conexión en «Servidor» de la barra de herramientas.</translation>
    </message>
</context>
<context>
    <name>valiant::app::ConnectionProfiles</name>
    <message>
        <source>This computer</source>
        <translation>Este ordenador</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a server URL. Type one such as https://valiant.example.com or http://192.0.2.10:3000.</source>
        <translation>«%1» no es una URL de servidor. Escriba una como https://valiant.example.com o http://192.0.2.10:3000.</translation>
    </message>
    <message>
        <source>The server URL &quot;%1&quot; contains a user name, password, query or fragment. Type only the scheme, host, port and path.</source>
        <translation>La URL del servidor «%1» contiene un nombre de usuario, una contraseña, una consulta o un fragmento. Escriba solo el esquema, el host, el puerto y la ruta.</translation>
    </message>
    <message>
        <source>The connection &quot;%1&quot; no longer exists.</source>
        <translation>La conexión «%1» ya no existe.</translation>
    </message>
    <message>
        <source>&quot;This computer&quot; is always available and cannot be removed.</source>
        <translation>«Este ordenador» siempre está disponible y no se puede eliminar.</translation>
    </message>
    <message>
        <source>The connection to remove no longer exists.</source>
        <translation>La conexión que se iba a eliminar ya no existe.</translation>
    </message>
    <message>
        <source>Use either --server or --profile, not both.</source>
        <translation>Use --server o --profile, no ambos.</translation>
    </message>
    <message>
        <source>No connection is named &quot;%1&quot;. Use one of: %2.</source>
        <translation>Ninguna conexión se llama «%1». Use una de estas: %2.</translation>
    </message>
    <message>
        <source>The connection needs a name, such as &quot;Office server&quot;.</source>
        <translation>La conexión necesita un nombre, como «Servidor de la oficina».</translation>
    </message>
    <message>
        <source>A connection named &quot;%1&quot; already exists; choose another name.</source>
        <translation>Ya existe una conexión llamada «%1»; elija otro nombre.</translation>
    </message>
</context>
<context>
    <name>valiant::app::ConnectionToolBar</name>
    <message>
        <source>Connection</source>
        <translation>Conexión</translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation>&amp;Servidor:</translation>
    </message>
    <message>
        <source>Server to trade on</source>
        <translation>Servidor en el que operar</translation>
    </message>
    <message>
        <source>Co&amp;nnections…</source>
        <translation>Co&amp;nexiones…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+N</source>
        <translation>Ctrl+Shift+N</translation>
    </message>
    <message>
        <source>Add, edit or log in to servers (%1)</source>
        <translation>Añadir o editar servidores, o iniciar sesión en ellos (%1)</translation>
    </message>
    <message>
        <source>Log &amp;out</source>
        <translation>&amp;Cerrar sesión</translation>
    </message>
    <message>
        <source>Local market not started</source>
        <translation>El mercado local no se inició</translation>
    </message>
    <message>
        <source>The local market server could not start.

%1</source>
        <translation>El servidor del mercado local no pudo iniciarse.

%1</translation>
    </message>
    <message>
        <source>%1 (local)</source>
        <translation>%1 (local)</translation>
    </message>
    <message>
        <source>Server not reachable</source>
        <translation>Servidor inaccesible</translation>
    </message>
    <message>
        <source>You can trade on this computer instead: a local market with its own play money, separate from %1.</source>
        <translation>Puede operar en este ordenador en su lugar: un mercado local con su propio dinero de juego, separado de %1.</translation>
    </message>
    <message>
        <source>Use this computer (local)</source>
        <translation>Usar este ordenador (local)</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Reintentar</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Logged in to %1 for this session only</source>
        <translation>Sesión iniciada en %1 solo hasta cerrar la aplicación</translation>
    </message>
    <message>
        <source>The system keychain is not available (%1), so you will need to log in again after Valiant quits. Nothing was written to disk.</source>
        <translation>El llavero del sistema no está disponible (%1), así que tendrá que volver a iniciar sesión cuando cierre Valiant. No se escribió nada en el disco.</translation>
    </message>
    <message>
        <source>Logged out on this computer only</source>
        <translation>Sesión cerrada solo en este ordenador</translation>
    </message>
    <message>
        <source>The login was forgotten here, but the server could not be told to end the session: %1</source>
        <translation>El inicio de sesión se olvidó aquí, pero no se pudo pedir al servidor que cerrara la sesión: %1</translation>
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
    <name>valiant::app::InstanceLock</name>
    <message>
        <source>Cannot create the lock file in %1. Check that the folder is writable.</source>
        <translation>No se puede crear el archivo de bloqueo en %1. Compruebe que la carpeta admite escritura.</translation>
    </message>
    <message>
        <source>Valiant is already running on this computer (process %1) with the data in %2. Switch to that window, or close it and start Valiant again.</source>
        <translation>Valiant ya se está ejecutando en este ordenador (proceso %1) con los datos de %2. Cambie a esa ventana, o ciérrela y vuelva a iniciar Valiant.</translation>
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
        <translation>Compra ejecutada: %1 VALV a %2 por acción, %3 en total.</translation>
    </message>
    <message>
        <source>Sold %1 VALV at %2 per share, %3 in total.</source>
        <translation>Venta ejecutada: %1 VALV a %2 por acción, %3 en total.</translation>
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
    <message>
        <source>Valiant price alert</source>
        <translation>Alerta de precio de Valiant</translation>
    </message>
    <message>
        <source>%1: VALV is at %2.</source>
        <translation>%1: VALV está a %2.</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>&amp;Export order history as CSV…</source>
        <translation>&amp;Exportar historial de órdenes como CSV…</translation>
    </message>
    <message>
        <source>Load &amp;older orders</source>
        <translation>Cargar órdenes más &amp;antiguas</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <source>Last &amp;minute (live)</source>
        <translation>Último &amp;minuto (en vivo)</translation>
    </message>
    <message>
        <source>Last &amp;hour</source>
        <translation>Última &amp;hora</translation>
    </message>
    <message>
        <source>Last &amp;day</source>
        <translation>Último &amp;día</translation>
    </message>
    <message>
        <source>High &amp;contrast</source>
        <translation>Alto &amp;contraste</translation>
    </message>
    <message>
        <source>&amp;Alerts</source>
        <translation>A&amp;lertas</translation>
    </message>
    <message>
        <source>&amp;Price alerts…</source>
        <translation>Alertas de &amp;precio…</translation>
    </message>
    <message>
        <source>PRICE · LAST HOUR</source>
        <translation>PRECIO · ÚLTIMA HORA</translation>
    </message>
    <message>
        <source>PRICE · LAST DAY</source>
        <translation>PRECIO · ÚLTIMO DÍA</translation>
    </message>
    <message>
        <source>Could not load the price history. %1</source>
        <translation>No se pudo cargar el historial de precios. %1</translation>
    </message>
    <message>
        <source>Buy and Sell wait for the first live price.</source>
        <translation>Comprar y Vender esperan el primer precio en vivo.</translation>
    </message>
    <message numerus="yes">
        <source>Buy and Sell are paused: the last price arrived %n second(s) ago, so it may no longer be the market price.</source>
        <translation>
            <numerusform>Comprar y Vender están en pausa: el último precio llegó hace %n segundo, así que quizá ya no sea el precio de mercado.</numerusform>
            <numerusform>Comprar y Vender están en pausa: el último precio llegó hace %n segundos, así que quizá ya no sea el precio de mercado.</numerusform>
        </translation>
    </message>
    <message>
        <source>Export order history</source>
        <translation>Exportar historial de órdenes</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Archivos CSV (*.csv)</translation>
    </message>
    <message>
        <source>Could not export the order history. %1</source>
        <translation>No se pudo exportar el historial de órdenes. %1</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) exported to %1.</source>
        <translation>
            <numerusform>Se exportó %n orden a %1.</numerusform>
            <numerusform>Se exportaron %n órdenes a %1.</numerusform>
        </translation>
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
    <name>valiant::app::MoneyInput</name>
    <message>
        <source>&quot;%1&quot; is not above zero.</source>
        <translation>«%1» no es mayor que cero.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; has &quot;%2&quot; in the wrong place: &quot;%2&quot; only groups thousands here, and the decimal separator is &quot;%3&quot;.</source>
        <translation>«%1» tiene «%2» en un lugar incorrecto: aquí «%2» solo separa los miles, y el separador decimal es «%3».</translation>
    </message>
    <message>
        <source>&quot;%1&quot; has more than two decimals.</source>
        <translation>«%1» tiene más de dos decimales.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is too large.</source>
        <translation>«%1» es demasiado grande.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an amount.</source>
        <translation>«%1» no es un importe.</translation>
    </message>
    <message>
        <source>The field is empty.</source>
        <translation>El campo está vacío.</translation>
    </message>
</context>
<context>
    <name>valiant::app::OrderCsv</name>
    <message>
        <source>Could not write the order history to %1: %2. Choose a folder you can write to.</source>
        <translation>No se pudo escribir el historial de órdenes en %1: %2. Elija una carpeta con permiso de escritura.</translation>
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
    <name>valiant::app::PriceAlerts</name>
    <message>
        <source>Price at or above %1</source>
        <translation>Precio en o por encima de %1</translation>
    </message>
    <message>
        <source>Price at or below %1</source>
        <translation>Precio en o por debajo de %1</translation>
    </message>
</context>
<context>
    <name>valiant::app::PriceChart</name>
    <message>
        <source>Price chart of the last 60 seconds</source>
        <translation type="vanished">Gráfico de precios de los últimos 60 segundos</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation type="vanished">%1 a las %2</translation>
    </message>
    <message>
        <source>Price chart of the last minute</source>
        <translation>Gráfico de precios del último minuto</translation>
    </message>
    <message>
        <source>Price chart of the last hour</source>
        <translation>Gráfico de precios de la última hora</translation>
    </message>
    <message>
        <source>Price chart of the last day</source>
        <translation>Gráfico de precios del último día</translation>
    </message>
    <message>
        <source>%1
%2 local time
%3 UTC</source>
        <translation>%1
%2 hora local
%3 UTC</translation>
    </message>
    <message>
        <source>Waiting for prices…</source>
        <translation>Esperando precios…</translation>
    </message>
    <message>
        <source>Loading the price history…</source>
        <translation>Cargando el historial de precios…</translation>
    </message>
    <message>
        <source>no prices</source>
        <translation>sin precios</translation>
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
    <name>valiant::app::TokenKeychain</name>
    <message>
        <source>Saving the login</source>
        <translation>Guardar el inicio de sesión</translation>
    </message>
    <message>
        <source>Reading the saved login</source>
        <translation>Leer el inicio de sesión guardado</translation>
    </message>
    <message>
        <source>Removing the saved login</source>
        <translation>Eliminar el inicio de sesión guardado</translation>
    </message>
    <message>
        <source>%1 failed: the keychain service did not answer within %2 seconds.</source>
        <translation>%1 falló: el servicio de llavero no respondió en %2 segundos.</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 falló: %2</translation>
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
    <message>
        <source>&amp;Limit price per share (optional)</source>
        <translation>Precio &amp;límite por acción (opcional)</translation>
    </message>
    <message>
        <source>Limit price per share</source>
        <translation>Precio límite por acción</translation>
    </message>
    <message>
        <source>Any price</source>
        <translation>Cualquier precio</translation>
    </message>
    <message>
        <source>The most a buy pays or the least a sell takes per share. Leave empty to trade at the live price.</source>
        <translation>Lo máximo que paga una compra o lo mínimo que acepta una venta por acción. Déjelo vacío para operar al precio en vivo.</translation>
    </message>
    <message>
        <source>Trading status</source>
        <translation>Estado de la operación</translation>
    </message>
    <message>
        <source>Buying…</source>
        <translation>Comprando…</translation>
    </message>
    <message>
        <source>Selling…</source>
        <translation>Vendiendo…</translation>
    </message>
    <message>
        <source>Waiting for the server to confirm the order…</source>
        <translation>Esperando a que el servidor confirme la orden…</translation>
    </message>
    <message>
        <source>Limit price: %1 Type it like %2, or leave it empty to trade at any price.</source>
        <translation>Precio límite: %1 Escríbalo como %2, o déjelo vacío para operar a cualquier precio.</translation>
    </message>
    <message>
        <source>Estimated total: %1 at %2 per share, with a limit of %3 per share</source>
        <translation>Total estimado: %1 a %2 por acción, con un límite de %3 por acción</translation>
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
