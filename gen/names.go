package gen

// Name lists for the generated world: Italian names with accents and apostrophes
// (the EPC character set has to cope with them), and a few from the other SEPA
// countries whose IBANs the world uses.
var (
	firstNames = []string{
		"Mario", "Giulia", "Luca", "Francesca", "Marco", "Chiara", "Alessandro", "Sara", "Andrea", "Martina",
		"Giuseppe", "Valentina", "Nicolò", "Federica", "Matteo", "Elisa", "Lorenzo", "Alessia", "Davide", "Silvia",
		"Simone", "Paola", "Riccardo", "Anna", "Stefano", "Laura", "Paolo", "Roberta", "Niccolò", "Ilaria",
		"Polifemo", "Gaia", "Tommaso", "Noemi", "Jürgen", "Anaïs", "José", "Zoë", "Björn", "Mélanie",
	}
	lastNames = []string{
		"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
		"Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
		"D'Amico", "Dell'Acqua", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli",
		"Micillo", "Cantù", "Sciacchitanò", "Müller", "Schäfer", "Lefèvre", "Muñoz", "Van der Berg", "Peeters", "Gruber",
	}
	cities = []struct{ Name, Province, Code string }{
		{"Roma", "RM", "H501"}, {"Milano", "MI", "F205"}, {"Napoli", "NA", "F839"}, {"Torino", "TO", "L219"},
		{"Palermo", "PA", "G273"}, {"Genova", "GE", "D969"}, {"Bologna", "BO", "A944"}, {"Firenze", "FI", "D612"},
		{"Bari", "BA", "A662"}, {"Catania", "CT", "C351"}, {"Venezia", "VE", "L736"}, {"Verona", "VR", "L781"},
		{"Messina", "ME", "F158"}, {"Padova", "PD", "G224"}, {"Trieste", "TS", "L424"}, {"Brescia", "BS", "B157"},
		{"Parma", "PR", "G337"}, {"Taranto", "TA", "L049"}, {"Prato", "PO", "G999"}, {"Modena", "MO", "F257"},
		{"Reggio Calabria", "RC", "H224"}, {"Perugia", "PG", "G478"}, {"Livorno", "LI", "E625"}, {"Ravenna", "RA", "H199"},
		{"Cagliari", "CA", "B354"}, {"Foggia", "FG", "D643"}, {"Salerno", "SA", "H703"}, {"Ferrara", "FE", "D548"},
		{"Sassari", "SS", "I452"}, {"Latina", "LT", "E472"}, {"Monza", "MB", "F704"}, {"Pescara", "PE", "G482"},
		{"Bergamo", "BG", "A794"}, {"Forlì", "FC", "D704"}, {"Trento", "TN", "L378"}, {"Vicenza", "VI", "L840"},
		{"Terni", "TR", "L117"}, {"Bolzano", "BZ", "A952"}, {"Novara", "NO", "F952"}, {"Piacenza", "PC", "G535"},
	}
	streets   = []string{"Via Roma", "Corso Italia", "Via Garibaldi", "Piazza Duomo", "Via Mazzini", "Viale dei Mille", "Via Dante", "Via XX Settembre"}
	shopKinds = []string{"Tabaccheria", "Edicola", "Bar", "Ricevitoria", "Cartoleria", "Minimarket"}
)
