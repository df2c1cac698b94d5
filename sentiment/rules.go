package sentiment

// Constants of the VADER model (Hutto & Gilbert 2014, MIT License).
const (
	boosterIncr    = 0.293 // valence added by a booster word ("very")
	capsIncr       = 0.733 // valence added by an ALL CAPS word among lowercase ones
	negScalar      = -0.74 // multiplier applied by a negation
	normAlpha      = 15    // normalisation constant of the compound score
	exclIncr       = 0.292 // per '!', up to maxExcl
	maxExcl        = 4
	questIncr      = 0.18 // per '?' when there are 2 or 3
	maxQuest       = 0.96
	butBefore      = 0.5 // weight of the words before "but"
	butAfter       = 1.5 // weight of the words after "but"
	elongationIncr = 0.2 // extra valence of an elongated word ("baaad")

	// socialpulse additions.
	sarcasmScale   = -0.6 // a sarcastic positive word becomes this times its valence
	resolveScale   = 0.25 // complaint words in a clause with a resolution word
	aggravateIncr  = 0.4  // per "again"/"still" in a negative clause, up to two
	questionDampen = 0.6  // positive valence in a question clause
	whyQuestion    = -1.2 // valence of a "why ...?" question
	sarcasmReach   = 5    // tokens after a positive word searched for complaint language
	neverSoScale   = 1.25 // "never so good" intensifies
	resolveNegated = -1.5 // "not fixed"
)

// negators are VADER's negation words. Words ending in "n't" negate too.
var negators = []string{
	"aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
	"dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
	"neednt", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
	"oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent", "uh-uh",
	"without", "wont", "wouldnt", "rarely", "seldom", "despite",
	// socialpulse additions: common tweet spellings and "unable to".
	"unable", "no", "cnt", "dnt", "wouldn", "couldn", "didn", "doesn", "isn", "wasn",
}

// boosters are VADER's intensifiers (positive) and dampeners (negative).
var boosters = map[string]float32{
	"absolutely": 1, "amazingly": 1, "awfully": 1, "completely": 1,
	"considerable": 1, "considerably": 1, "decidedly": 1, "deeply": 1,
	"effing": 1, "enormous": 1, "enormously": 1, "entirely": 1,
	"especially": 1, "exceptional": 1, "exceptionally": 1, "extreme": 1,
	"extremely": 1, "fabulously": 1, "flipping": 1, "flippin": 1,
	"frackin": 1, "fracking": 1, "fricking": 1, "frickin": 1, "frigging": 1,
	"friggin": 1, "fully": 1, "fuckin": 1, "fucking": 1, "fuggin": 1,
	"fugging": 1, "greatly": 1, "hella": 1, "highly": 1, "hugely": 1,
	"incredible": 1, "incredibly": 1, "intensely": 1, "major": 1,
	"majorly": 1, "more": 1, "most": 1, "particularly": 1, "purely": 1,
	"quite": 1, "really": 1, "remarkably": 1, "so": 1, "substantially": 1,
	"thoroughly": 1, "total": 1, "totally": 1, "tremendous": 1,
	"tremendously": 1, "uber": 1, "unbelievably": 1, "unusually": 1,
	"utter": 1, "utterly": 1, "very": 1,
	"almost": -1, "barely": -1, "hardly": -1, "kinda": -1, "kindof": -1,
	"less": -1, "little": -1, "marginal": -1, "marginally": -1,
	"occasional": -1, "occasionally": -1, "partly": -1, "scarce": -1,
	"scarcely": -1, "slight": -1, "slightly": -1, "somewhat": -1,
	"sorta": -1, "sortof": -1,
	// socialpulse additions.
	"super": 1, "way": 1, "literally": 1,
}

// particleVerbs make a following "down" a neutral particle.
var particleVerbs = []string{
	"sit", "sat", "calm", "slow", "settle", "write", "wrote", "turn", "turned", "turns",
	"put", "back", "cool", "wind", "lie", "lay", "tone", "step", "hand", "handed",
	"pass", "narrow", "boil", "knock", "bring", "take", "took", "count", "burn",
	"tear", "track", "hunt", "jot", "mark", "scale", "upside", "touch", "touched",
	"breathe", "quiet", "lock", "locked", "hold", "water", "stand", "run", "ran",
	"settled", "calmed", "slowed",
}

// butWords shift the weight of a sentence onto the words after them.
var butWords = []string{"but", "however"}

// clauseWords start a new clause without shifting weight.
var clauseWords = []string{"although", "though", "whereas", "except", "unfortunately", "sadly", "meanwhile"}
