<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>%n word(s)</source>
        <translation>
            <numerusform>%n word</numerusform>
            <numerusform>%n words</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n character(s) without spaces</source>
        <translation>
            <numerusform>%n character without spaces</numerusform>
            <numerusform>%n characters without spaces</numerusform>
        </translation>
    </message>
</context>
</TS>
