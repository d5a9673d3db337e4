/// Names of the Danish municipalities the demo uses, by code (dk-core-municipality-codes).
public enum MunicipalityCodes {
    public static let names: [String: String] = [
        "0101": "København", "0147": "Frederiksberg", "0151": "Ballerup", "0153": "Brøndby", "0155": "Dragør",
        "0157": "Gentofte", "0159": "Gladsaxe", "0161": "Glostrup", "0163": "Herlev", "0165": "Albertslund",
        "0167": "Hvidovre", "0169": "Høje-Taastrup", "0173": "Lyngby-Taarbæk", "0175": "Rødovre",
        "0183": "Ishøj", "0185": "Tårnby", "0187": "Vallensbæk", "0190": "Furesø", "0201": "Allerød",
        "0210": "Fredensborg", "0217": "Helsingør", "0219": "Hillerød", "0223": "Hørsholm", "0230": "Rudersdal",
        "0240": "Egedal", "0250": "Frederikssund", "0751": "Aarhus", "0851": "Aalborg", "0461": "Odense",
    ]

    public static func name(_ code: String) -> String? { names[code] }
}
