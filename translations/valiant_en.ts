<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>valiant::app::MainWindow</name>
    <message numerus="yes">
        <source>Buy and Sell are paused: the last price arrived %n second(s) ago, so it may no longer be the market price.</source>
        <translation>
            <numerusform>Buy and Sell are paused: the last price arrived %n second ago, so it may no longer be the market price.</numerusform>
            <numerusform>Buy and Sell are paused: the last price arrived %n seconds ago, so it may no longer be the market price.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) exported to %1.</source>
        <translation>
            <numerusform>%n order exported to %1.</numerusform>
            <numerusform>%n orders exported to %1.</numerusform>
        </translation>
    </message>
</context>
</TS>
