"""Writes corpora/distractors: 48 self-written news briefs in 12 clusters of near-duplicates, and 72 gold questions
(12 of them follow-ups)."""
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "distractors"
A = {}  # file stem -> (headline, body)
Q = []  # (cluster, id, question, answers, answerable, gold_doc, evidence)

def art(stem, headline, body):
    A[stem] = (headline, body)

def q(cluster, qid, question, answers=None, doc=None, evidence=None):
    Q.append((cluster, qid, question, answers or [], bool(answers), doc, evidence))

def mt(cluster, qid, turns, answers=None, doc=None, evidence=None):
    """A follow-up: the last of `turns` is scored, and needs the earlier ones to be understood."""
    Q.append((cluster, qid, turns, answers or [], bool(answers), doc, evidence))

# 1. Harlow Marathon
art("harlow-marathon-2019", "Kenyan runner takes Harlow Marathon in record heat",
    "HARLOW, June 2, 2019 - Daniel Kiprono won the Harlow Marathon on Sunday in 2 hours 11 minutes 40 seconds, "
    "despite temperatures of 29 degrees. Organisers said 8,200 runners started the race, the largest field in its "
    "history. The women's race went to Ilse Marten of the Netherlands.")
art("harlow-marathon-2020", "Harlow Marathon run without spectators",
    "HARLOW, October 4, 2020 - The Harlow Marathon, moved from June to October, was run with 1,500 invited runners "
    "and no spectators along the course. Tomas Brandvik of Norway won in 2:14:02. Organisers said the usual finish "
    "festival was cancelled.")
art("harlow-marathon-2021", "Local teacher wins Harlow Marathon at first attempt",
    "HARLOW, June 6, 2021 - Mathematics teacher Oliver Pennick became the first Harlow resident to win the city's "
    "marathon, finishing in 2:16:55. About 6,000 runners took part. Pennick said he trained before school "
    "every morning for a year.")
art("harlow-half-2021", "Half marathon draws record entry in Harlow",
    "HARLOW, September 12, 2021 - The Harlow Half Marathon drew 11,300 entrants, a record. The winner, Ruth Okello, "
    "finished in 68 minutes. The full marathon is held each year in June.")
q(1, "harlow-2020-winner", "Who won the Harlow Marathon in 2020?", ["Tomas Brandvik", "Brandvik"], "harlow-marathon-2020",
  "Tomas Brandvik of Norway won in 2:14:02")
q(1, "harlow-2019-field", "How many runners started the 2019 Harlow Marathon?", ["8,200", "8200"], "harlow-marathon-2019",
  "8,200 runners started the race")
q(1, "harlow-2021-time", "What was the winning time of the 2021 Harlow Marathon?", ["2:16:55"], "harlow-marathon-2021",
  "finishing in 2:16:55")
q(1, "harlow-2022-winner", "Who won the Harlow Marathon in 2022?")
q(1, "harlow-2020-women", "Who won the women's race at the 2020 Harlow Marathon?")

# 2. Veltrix deals
art("veltrix-2018", "Veltrix buys sensor maker Aldane for 140 million euros",
    "Industrial software group Veltrix agreed to buy Aldane, a maker of pressure sensors based in Lyon, for 140 "
    "million euros, the companies said on March 14, 2018. Veltrix chief executive Hanna Soler said the deal "
    "would close by the summer.")
art("veltrix-2021", "Veltrix and Norrbane sign rail maintenance partnership",
    "Veltrix and the Swedish rail operator Norrbane signed a five-year partnership on May 3, 2021 to monitor "
    "track wear with Veltrix software. Financial terms were not disclosed. Veltrix shares rose 4 percent.")
art("veltrix-2023", "Veltrix names new chief executive",
    "Veltrix appointed Marco Feld, its former finance chief, as chief executive on January 9, 2023, succeeding "
    "Hanna Soler, who led the company for eight years. Feld said he would focus on the rail business.")
art("kestra-2021", "Rival Kestra buys drone inspector Pellow",
    "Kestra, a competitor of Veltrix, bought the drone inspection firm Pellow for 65 million euros on May 20, "
    "2021. Kestra said Pellow's 90 staff would stay in Ghent.")
q(2, "veltrix-aldane-price", "How much did Veltrix pay for Aldane?", ["140 million euros", "140 million"], "veltrix-2018",
  "for 140 million euros")
q(2, "veltrix-ceo-2023", "Who became chief executive of Veltrix in 2023?", ["Marco Feld"], "veltrix-2023",
  "Veltrix appointed Marco Feld")
q(2, "veltrix-norrbane-years", "How long is the partnership between Veltrix and Norrbane?", ["five years", "five-year"],
  "veltrix-2021", "signed a five-year partnership")
q(2, "norrbane-signatory", "Who signed the partnership with Veltrix on behalf of Norrbane?")
q(2, "veltrix-pellow-price", "How much did Veltrix pay for Pellow?")

# 3. Brennmoor budget
art("brennmoor-budget-2022", "Brennmoor council approves 48 million budget",
    "BRENNMOOR - The town council approved a budget of 48 million pounds for 2022 by 19 votes to 6. Council "
    "leader Agnes Whitby said 3 million pounds would go to road repairs.")
art("brennmoor-budget-2023", "Brennmoor raises council tax by 4.9 percent",
    "BRENNMOOR - Councillors voted to raise council tax by 4.9 percent in the 2023 budget of 51 million pounds. "
    "Agnes Whitby said the library service would keep its opening hours.")
art("brennmoor-budget-2024", "Brennmoor budget cuts two bus routes",
    "BRENNMOOR - The 2024 budget, approved on February 27, ends council funding for bus routes 7 and 12. "
    "Opposition councillor Samir Haddad called the cut a mistake.")
art("castleford-budget-2023", "Castleford freezes council tax",
    "CASTLEFORD - Neighbouring Castleford froze council tax for 2023 and set a budget of 39 million pounds. "
    "Its leader, Joan Pike, said reserves would cover the gap.")
q(3, "brennmoor-2022-budget", "What was Brennmoor's budget for 2022?", ["48 million"], "brennmoor-budget-2022",
  "a budget of 48 million pounds for 2022")
q(3, "brennmoor-2023-tax", "By how much did Brennmoor raise council tax in 2023?", ["4.9 percent", "4.9"],
  "brennmoor-budget-2023", "raise council tax by 4.9 percent")
q(3, "brennmoor-2024-routes", "Which bus routes lost council funding in Brennmoor's 2024 budget?", ["7 and 12"],
  "brennmoor-budget-2024", "ends council funding for bus routes 7 and 12")
q(3, "brennmoor-2024-total", "What was the total of Brennmoor's 2024 budget?")
q(3, "brennmoor-2022-tax", "By how much did Brennmoor raise council tax in 2022?")

# 4. Ferries
art("ferry-north-route", "Northern ferry route resumes after repairs",
    "The Sundby to Holm ferry resumed on April 2 after the vessel Marit spent six weeks in dry dock. The crossing "
    "takes 50 minutes and runs four times a day, the operator Fjordlink said.")
art("ferry-south-route", "Fjordlink adds evening sailing on southern route",
    "Fjordlink will add a 9 pm sailing between Holm and Vester from June 1. The southern crossing takes 35 minutes. "
    "Tickets cost 12 euros for foot passengers.")
art("ferry-new-vessel", "Fjordlink orders electric ferry",
    "Fjordlink ordered an electric ferry for 38 million euros from the Aukra yard. The vessel, to be named Solveig, "
    "will carry 300 passengers and enter service in 2026 on the northern route.")
art("ferry-strike", "Ferry crews strike for two days",
    "Crews at Fjordlink stopped work for two days in August over rosters. About 4,000 passengers were affected, the "
    "company said. The union is led by Per Aas.")
q(4, "ferry-north-time", "How long does the Sundby to Holm ferry crossing take?", ["50 minutes"], "ferry-north-route",
  "The crossing takes 50 minutes")
q(4, "ferry-solveig-capacity", "How many passengers will the electric ferry Solveig carry?", ["300"], "ferry-new-vessel",
  "will carry 300 passengers")
q(4, "ferry-south-price", "How much is a foot passenger ticket on the Holm to Vester ferry?", ["12 euros", "12"],
  "ferry-south-route", "Tickets cost 12 euros for foot passengers")
q(4, "ferry-north-price", "How much is a ticket on the Sundby to Holm ferry?")
q(4, "ferry-solveig-yard-price", "How much did Fjordlink pay for the vessel Marit?")

# 5. Elden mayoral elections
art("elden-election-2016", "Ruth Abara elected mayor of Elden",
    "ELDEN - Ruth Abara of the Green Alliance won the 2016 mayoral election with 54 percent of the vote, defeating "
    "Conrad Lisle. Turnout was 61 percent.")
art("elden-election-2020", "Abara re-elected in Elden with reduced majority",
    "ELDEN - Mayor Ruth Abara was re-elected in 2020 with 51 percent. Her challenger, Freya Dunmore, took 46 "
    "percent. Turnout fell to 55 percent.")
art("elden-election-2024", "Dunmore unseats Abara in Elden",
    "ELDEN - Freya Dunmore won the 2024 mayoral election with 52 percent, ending Ruth Abara's eight years in office. "
    "Dunmore promised a new swimming pool by 2027.")
art("marsh-election-2020", "Marsh Hill elects its youngest mayor",
    "MARSH HILL - Leon Varga, 29, won the 2020 mayoral election in Marsh Hill with 58 percent, becoming its youngest "
    "mayor. Turnout was 47 percent.")
q(5, "elden-2016-share", "What share of the vote did Ruth Abara win in 2016?", ["54 percent", "54"], "elden-election-2016",
  "with 54 percent of the vote")
q(5, "elden-2020-turnout", "What was the turnout in Elden's 2020 mayoral election?", ["55 percent", "55"],
  "elden-election-2020", "Turnout fell to 55 percent")
q(5, "elden-2024-winner", "Who won Elden's 2024 mayoral election?", ["Freya Dunmore", "Dunmore"], "elden-election-2024",
  "Freya Dunmore won the 2024 mayoral election")
q(5, "elden-2024-turnout", "What was the turnout in Elden's 2024 mayoral election?")
q(5, "elden-2016-dunmore", "What share of the vote did Freya Dunmore win in 2016?")

# 6. Orland Medal
art("orland-medal-2019", "Orland Medal goes to glacier researcher",
    "The Orland Medal for earth sciences was awarded to glaciologist Mira Haskell for her work on ice-sheet "
    "melting, the Orland Society said on November 8, 2019. The prize carries 50,000 dollars.")
art("orland-medal-2020", "Seismologist wins 2020 Orland Medal",
    "Seismologist Kenji Arakawa won the 2020 Orland Medal for an early-warning method now used in three countries. "
    "He said he would give the prize money to student fellowships.")
art("orland-medal-2021", "Orland Medal shared for the first time",
    "For the first time the Orland Medal was shared: the 2021 award went to ocean chemists Lena Varo and Paul "
    "Okafor. The society raised the prize to 75,000 dollars.")
art("orland-lecture-2021", "Haskell gives Orland lecture",
    "Mira Haskell, the 2019 Orland medallist, gave the society's annual lecture in 2021, warning that sea levels "
    "could rise 60 centimetres by 2100.")
q(6, "orland-2020-winner", "Who won the Orland Medal in 2020?", ["Kenji Arakawa", "Arakawa"], "orland-medal-2020",
  "Seismologist Kenji Arakawa won the 2020 Orland Medal")
q(6, "orland-2019-prize", "How much money did the Orland Medal carry in 2019?", ["50,000 dollars", "50,000"],
  "orland-medal-2019", "The prize carries 50,000 dollars")
q(6, "orland-2021-winners", "Who shared the 2021 Orland Medal?", ["Lena Varo", "Varo"], "orland-medal-2021",
  "ocean chemists Lena Varo and Paul Okafor")
q(6, "orland-2022-winner", "Who won the Orland Medal in 2022?")
q(6, "orland-2020-prize", "How much prize money did Kenji Arakawa give to student fellowships?")

# 7. Storms
art("storm-agnes", "Storm Agnes brings 130 km/h gusts",
    "Storm Agnes brought gusts of 130 km/h to the west coast on September 27, cutting power to 40,000 homes. One "
    "man was injured by a falling tree in Tralee.")
art("storm-babet", "Storm Babet floods river towns",
    "Storm Babet caused the River Dern to burst its banks in October, flooding 600 homes in Selby Mill. Three red "
    "weather warnings were issued, the first since 2020.")
art("storm-ciaran", "Storm Ciaran closes ports",
    "Storm Ciaran closed four ports and cancelled 200 flights on November 2. Gusts reached 150 km/h on the "
    "headland at Pointe du Raz.")
art("storm-season", "Forecasters name storms for the coming season",
    "Forecasters published the list of storm names for the season, starting with Agnes, Babet and Ciaran. A "
    "storm is named when it could cause medium or high impacts, they said.")
q(7, "storm-agnes-homes", "How many homes lost power during Storm Agnes?", ["40,000"], "storm-agnes",
  "cutting power to 40,000 homes")
q(7, "storm-babet-flooded", "How many homes did Storm Babet flood in Selby Mill?", ["600"], "storm-babet",
  "flooding 600 homes in Selby Mill")
q(7, "storm-ciaran-flights", "How many flights did Storm Ciaran cancel?", ["200"], "storm-ciaran",
  "cancelled 200 flights")
q(7, "storm-babet-power", "How many homes lost power during Storm Babet?")
q(7, "storm-debi-gusts", "What was the strongest gust of Storm Debi?")

# 8. Football transfers
art("transfer-okoro", "Redhaven sign striker Okoro for club record",
    "Redhaven United signed striker Samuel Okoro from Lisbon side Estrela for a club-record 22 million euros on "
    "a five-year contract, the club said in July 2022.")
art("transfer-lind", "Redhaven sell captain Lind to Milan",
    "Redhaven United sold captain Erik Lind to AC Milan for 18 million euros in August 2023. Lind played 210 "
    "games for the club.")
art("transfer-okoro-loan", "Okoro joins Valdor on loan",
    "Samuel Okoro left Redhaven United on a season-long loan to Valdor in January 2024 after scoring 9 goals in "
    "two seasons.")
art("transfer-ashby", "Ashby Town sign goalkeeper Nowak",
    "Ashby Town, Redhaven's rivals, signed goalkeeper Piotr Nowak from Lech for 4 million euros in July 2022.")
q(8, "okoro-fee", "How much did Redhaven United pay for Samuel Okoro?", ["22 million euros", "22 million"],
  "transfer-okoro", "a club-record 22 million euros")
q(8, "lind-games", "How many games did Erik Lind play for Redhaven United?", ["210"], "transfer-lind",
  "Lind played 210 games for the club")
q(8, "okoro-goals", "How many goals did Samuel Okoro score for Redhaven United?", ["9", "nine"], "transfer-okoro-loan",
  "after scoring 9 goals in two seasons")
q(8, "okoro-loan-fee", "What loan fee did Valdor pay Redhaven for Samuel Okoro?")
q(8, "lind-contract", "How long is Erik Lind's contract with AC Milan?")

# 9. Bridges
art("bridge-tarn", "Tarn bridge opens two years late",
    "The Tarn river bridge opened to traffic on May 15 after delays that added two years and 31 million pounds to "
    "the project. The 480-metre bridge was built by Corrin Construction.")
art("bridge-tarn-cost", "Tarn bridge cost rises again",
    "The cost of the Tarn bridge rose to 212 million pounds, the regional authority said a year before the bridge "
    "opened. The original estimate was 181 million pounds.")
art("bridge-ossory", "Ossory footbridge wins design prize",
    "The Ossory footbridge, a 90-metre steel arch, won the national design prize. It was designed by the studio "
    "Halden and Rowe and opened in 2021.")
art("bridge-tarn-toll", "No toll on Tarn bridge, authority confirms",
    "The regional authority confirmed there will be no toll on the Tarn bridge. About 25,000 vehicles a day are "
    "expected to use it.")
q(9, "tarn-length", "How long is the Tarn river bridge?", ["480 metres", "480-metre", "480"], "bridge-tarn",
  "The 480-metre bridge")
q(9, "tarn-original-cost", "What was the original cost estimate of the Tarn bridge?", ["181 million"],
  "bridge-tarn-cost", "The original estimate was 181 million pounds")
q(9, "ossory-designer", "Who designed the Ossory footbridge?", ["Halden and Rowe"], "bridge-ossory",
  "designed by the studio Halden and Rowe")
q(9, "ossory-builder", "Which company built the Ossory footbridge?")
q(9, "tarn-toll-price", "How much is the toll on the Ossory footbridge?")

# 10. Festival
art("festival-2022", "Lanternfield festival returns after two-year break",
    "The Lanternfield music festival returned in 2022 after two cancelled years, selling 42,000 tickets. Headliner "
    "Nora Vale closed the Saturday night.")
art("festival-2023", "Lanternfield sells out in four hours",
    "Tickets for Lanternfield 2023 sold out in four hours. The festival moved to a larger site at Copley Farm and "
    "sold 55,000 tickets. The Hollow Pines headlined on Friday.")
art("festival-2023-weather", "Rain cuts short festival's final day",
    "Heavy rain cut short the final day of Lanternfield 2023, and organisers refunded Sunday-only tickets. About "
    "300 cars had to be towed from the car park.")
art("festival-rival", "Brightwater festival cancelled",
    "The Brightwater festival, Lanternfield's main rival, was cancelled in 2023 after selling only 9,000 of 30,000 "
    "tickets, its organisers said.")
q(10, "festival-2022-tickets", "How many tickets did Lanternfield sell in 2022?", ["42,000"], "festival-2022",
  "selling 42,000 tickets")
q(10, "festival-2023-site", "Where was Lanternfield held in 2023?", ["Copley Farm"], "festival-2023",
  "moved to a larger site at Copley Farm")
q(10, "festival-2023-cars", "How many cars had to be towed at Lanternfield 2023?", ["300"], "festival-2023-weather",
  "About 300 cars had to be towed")
q(10, "festival-2022-friday", "Who headlined the Friday of Lanternfield 2022?")
q(10, "festival-2024-tickets", "How many tickets did Lanternfield sell in 2024?")

# 11. Orchestra
art("orchestra-conductor", "Vesna Radic named chief conductor of Aldport Philharmonic",
    "The Aldport Philharmonic named Serbian conductor Vesna Radic as chief conductor from September 2024, on a "
    "four-year contract. She succeeds Hugo Brandt, who held the post for 11 years.")
art("orchestra-tour", "Aldport Philharmonic plans Asian tour",
    "The Aldport Philharmonic will tour Japan and South Korea in spring 2025, with eight concerts. Vesna Radic "
    "will conduct six of them.")
art("orchestra-hall", "Aldport concert hall to close for renovation",
    "Aldport's Harbour Hall, home of the Philharmonic, will close for 18 months from January 2026 for a 60 million "
    "euro renovation.")
art("orchestra-brandt", "Hugo Brandt joins Vienna academy",
    "Former Aldport Philharmonic conductor Hugo Brandt will teach conducting at a Vienna academy from 2025. Brandt "
    "recorded 14 albums with the orchestra.")
q(11, "radic-contract", "How long is Vesna Radic's contract with the Aldport Philharmonic?", ["four years", "four-year"],
  "orchestra-conductor", "on a four-year contract")
q(11, "tour-concerts", "How many concerts will the Aldport Philharmonic give on its Asian tour?", ["eight", "8"],
  "orchestra-tour", "with eight concerts")
q(11, "brandt-albums", "How many albums did Hugo Brandt record with the Aldport Philharmonic?", ["14"],
  "orchestra-brandt", "Brandt recorded 14 albums")
q(11, "radic-nationality-albums", "How many albums has Vesna Radic recorded?")
q(11, "tour-cities", "In which cities will the Aldport Philharmonic play on its Asian tour?")

# 12. Museum
art("museum-opening", "Kelvaar Museum of Maps opens",
    "The Kelvaar Museum of Maps opened on March 3 in a former customs house. Its 2,400 maps were donated by the "
    "collector Ada Fenwick. Entry is free for under-18s.")
art("museum-visitors", "Map museum welcomes 100,000th visitor",
    "The Kelvaar Museum of Maps welcomed its 100,000th visitor in its first nine months, director Ivo Lenz said.")
art("museum-theft", "Rare map stolen from Kelvaar museum",
    "A 1570 map of the Baltic was stolen from the Kelvaar Museum of Maps overnight on October 14. Police said the "
    "map was insured for 300,000 euros.")
art("museum-other", "Coastal museum in Fenmouth reopens",
    "The Fenmouth Coastal Museum reopened after a 5 million euro refit. It holds 800 ship models, its curator "
    "Tilde Moss said.")
q(12, "museum-maps-count", "How many maps did Ada Fenwick donate to the Kelvaar Museum of Maps?", ["2,400"],
  "museum-opening", "Its 2,400 maps were donated")
q(12, "museum-director", "Who is the director of the Kelvaar Museum of Maps?", ["Ivo Lenz"], "museum-visitors",
  "director Ivo Lenz said")
q(12, "museum-theft-value", "For how much was the stolen map insured?", ["300,000 euros", "300,000"], "museum-theft",
  "insured for 300,000 euros")
q(12, "museum-adult-price", "How much does adult entry to the Kelvaar Museum of Maps cost?")
q(12, "museum-theft-arrest", "Who was arrested for the theft of the map from the Kelvaar museum?")

# Follow-ups, one per cluster: the second question says "he", "it" or "that year" for what the first one named.
mt(1, "mt-harlow-2019-women", ["Who won the Harlow Marathon in 2019?", "And who won the women's race that year?"],
   ["Ilse Marten"], "harlow-marathon-2019", "The women's race went to Ilse Marten")
mt(2, "mt-veltrix-feld-focus", ["Who became chief executive of Veltrix in 2023?", "What did he say he would focus on?"],
   ["rail business", "rail"], "veltrix-2023", "he would focus on the rail business")
mt(3, "mt-brennmoor-2023-tax", ["What was Brennmoor's budget for 2023?", "By how much did council tax rise?"],
   ["4.9 percent", "4.9"], "brennmoor-budget-2023", "raise council tax by 4.9 percent")
mt(4, "mt-ferry-solveig-entry", ["Which ferry did Fjordlink order from the Aukra yard?", "When will it enter service?"],
   ["2026"], "ferry-new-vessel", "enter service in 2026")
mt(5, "mt-elden-2024-pool", ["Who won the Elden mayoral election in 2024?", "What did she promise?"],
   ["swimming pool", "a new swimming pool"], "elden-election-2024", "promised a new swimming pool by 2027")
mt(6, "mt-orland-2021-prize", ["Who shared the 2021 Orland Medal?", "How much prize money did they receive?"],
   ["75,000 dollars", "75,000"], "orland-medal-2021", "raised the prize to 75,000 dollars")
mt(7, "mt-babet-homes", ["Which river burst its banks during Storm Babet?", "How many homes were flooded?"],
   ["600"], "storm-babet", "flooding 600 homes")
mt(8, "mt-lind-fee", ["Which club did Erik Lind join in 2023?", "What was the transfer fee?"],
   ["18 million euros", "18 million"], "transfer-lind", "for 18 million euros")
mt(9, "mt-ossory-opened", ["Who designed the Ossory footbridge?", "In what year did it open?"],
   ["2021"], "bridge-ossory", "opened in 2021")
mt(10, "mt-festival-2022-cars", ["Who headlined Lanternfield in 2022?", "How many cars were towed that year?"])
mt(11, "mt-radic-salary", ["Who is the new chief conductor of the Aldport Philharmonic?", "What is her salary?"])
mt(12, "mt-museum-theft-officer", ["Which map was stolen from the Kelvaar Museum of Maps?",
                                   "Which police officer led the investigation?"])

# "How many" questions over the dev clusters, written on 2026-12-01 before the check that a number must count what
# the question counts was measured on them: the answerable ones state the count in the article's own words (three
# with another noun or none beside the number: "1,500 invited runners" for people, "19 votes to 6" for councillors,
# "six of them" for concerts), the unanswerable ones ask a count the article doesn't give beside counts it does.
q(1, "harlow-2021-field", "How many runners took part in the 2021 Harlow Marathon?", ["6,000", "6000"],
  "harlow-marathon-2021", "About 6,000 runners took part")
q(1, "harlow-half-entrants", "How many entrants did the 2021 Harlow Half Marathon draw?", ["11,300", "11300"],
  "harlow-half-2021", "drew 11,300 entrants")
q(1, "harlow-2020-people", "How many people ran the 2020 Harlow Marathon?", ["1,500", "1500"], "harlow-marathon-2020",
  "1,500 invited runners")
q(1, "harlow-2019-spectators", "How many spectators watched the 2019 Harlow Marathon?")
q(1, "harlow-half-finishers", "How many runners finished the 2021 Harlow Half Marathon?")
q(3, "brennmoor-2022-against", "How many councillors voted against Brennmoor's 2022 budget?", ["6", "six"],
  "brennmoor-budget-2022", "by 19 votes to 6")
q(3, "brennmoor-2023-jobs", "How many jobs did Brennmoor's 2023 budget cut?")
q(5, "elden-abara-years", "How many years was Ruth Abara mayor of Elden?", ["eight", "8"], "elden-election-2024",
  "ending Ruth Abara's eight years in office")
q(5, "elden-2024-votes", "How many votes did Freya Dunmore receive in 2024?")
q(7, "storm-ciaran-ports", "How many ports did Storm Ciaran close?", ["four", "4"], "storm-ciaran",
  "closed four ports")
q(7, "storm-babet-warnings", "How many red weather warnings were issued during Storm Babet?", ["three", "Three", "3"],
  "storm-babet", "Three red weather warnings were issued")
q(7, "storm-ciaran-injured", "How many people were injured by Storm Ciaran?")
q(9, "tarn-vehicles", "How many vehicles a day are expected to use the Tarn bridge?", ["25,000", "25000"],
  "bridge-tarn-toll", "About 25,000 vehicles a day")
q(9, "tarn-workers", "How many workers built the Tarn bridge?")
q(11, "brandt-years", "How many years did Hugo Brandt lead the Aldport Philharmonic?", ["11", "eleven"],
  "orchestra-conductor", "held the post for 11 years")
q(11, "tour-radic-concerts", "How many concerts will Vesna Radic conduct on the Asian tour?", ["six", "6"],
  "orchestra-tour", "will conduct six of them")
q(11, "tour-musicians", "How many musicians will travel on the Aldport Philharmonic's Asian tour?")
q(11, "tour-months", "How many months will the Aldport Philharmonic spend touring Asia?")

# "Who is the <role>" questions over the dev clusters, written on 2026-12-01 after a check that the answer's name must
# stand beside the role's word had been drafted (and after seeing the test split's role inventions): the answerable
# ones include a role the article words otherwise ("built by" for the builder) or states a sentence away
# ("She succeeds Hugo Brandt"); the unanswerable ones ask a role no article of the cluster gives.
q(3, "brennmoor-leader", "Who is the council leader of Brennmoor?", ["Agnes Whitby", "Whitby"], "brennmoor-budget-2022",
  "Council leader Agnes Whitby said")
q(3, "castleford-leader", "Who is the leader of Castleford council?", ["Joan Pike", "Pike"], "castleford-budget-2023",
  "Its leader, Joan Pike, said")
q(3, "brennmoor-opposition", "Who is the opposition councillor who called Brennmoor's bus cut a mistake?",
  ["Samir Haddad", "Haddad"], "brennmoor-budget-2024", "Opposition councillor Samir Haddad called the cut a mistake")
q(3, "brennmoor-mayor", "Who is the mayor of Brennmoor?")
q(5, "elden-2020-challenger", "Who was Ruth Abara's challenger in the 2020 Elden election?", ["Freya Dunmore", "Dunmore"],
  "elden-election-2020", "Her challenger, Freya Dunmore, took 46")
q(5, "marsh-youngest", "Who became the youngest mayor of Marsh Hill?", ["Leon Varga", "Varga"], "marsh-election-2020",
  "becoming its youngest mayor")
q(5, "elden-deputy", "Who is the deputy mayor of Elden?")
q(1, "harlow-director", "Who is the race director of the Harlow Marathon?")
q(9, "tarn-builder", "Who was the builder of the Tarn bridge?", ["Corrin Construction", "Corrin"], "bridge-tarn",
  "built by Corrin Construction")
q(9, "tarn-architect", "Who was the architect of the Tarn bridge?")
q(11, "brandt-before", "Who was the chief conductor of the Aldport Philharmonic before Vesna Radic?",
  ["Hugo Brandt", "Brandt"], "orchestra-conductor", "She succeeds Hugo Brandt")
q(11, "aldport-chief-executive", "Who is the chief executive of the Aldport Philharmonic?")

# Questions about amounts of money over the dev clusters, written on 2026-12-02 before a check that such an answer
# must give an amount of money (not some other number of its passages) was measured on them: the answerable ones ask
# in several forms ("how much", "what was the cost", "what did ... rise to"), one names the amount only as an
# adjective ("a 60 million euro renovation"); the unanswerable ones ask an amount no article of the cluster gives,
# beside articles that give other amounts and other numbers.
q(3, "brennmoor-2022-roads", "How much did Brennmoor set aside for road repairs in 2022?", ["3 million"],
  "brennmoor-budget-2022", "3 million pounds would go to road repairs")
q(3, "castleford-2023-budget", "How much was Castleford's budget for 2023?", ["39 million"], "castleford-budget-2023",
  "set a budget of 39 million pounds")
q(3, "brennmoor-2023-size", "How big was Brennmoor's budget in 2023?", ["51 million"], "brennmoor-budget-2023",
  "the 2023 budget of 51 million pounds")
q(3, "brennmoor-2023-library", "How much did Brennmoor's 2023 budget give the library service?")
q(3, "castleford-reserves", "How much did Castleford take from its reserves in 2023?")
q(9, "tarn-delay-cost", "How much did the delays add to the cost of the Tarn bridge?", ["31 million"], "bridge-tarn",
  "added two years and 31 million pounds to the project")
q(9, "tarn-final-cost", "What did the cost of the Tarn bridge rise to?", ["212 million"], "bridge-tarn-cost",
  "rose to 212 million pounds")
q(9, "ossory-cost", "How much did the Ossory footbridge cost to build?")
q(9, "ossory-prize-money", "How much money came with the design prize the Ossory footbridge won?")
q(11, "hall-renovation-cost", "How much will the renovation of Harbour Hall cost?", ["60 million"], "orchestra-hall",
  "a 60 million euro renovation")
q(11, "radic-fee", "How much is Vesna Radic paid as chief conductor of the Aldport Philharmonic?")
q(11, "tour-budget", "How much will the Aldport Philharmonic's Asian tour cost?")
q(1, "harlow-2019-prize", "How much prize money did Daniel Kiprono win at the 2019 Harlow Marathon?")
q(1, "harlow-2020-entry-fee", "How much did runners pay to enter the 2020 Harlow Marathon?")
q(7, "storm-babet-damage", "What was the cost of the damage Storm Babet caused?")

OUT.mkdir(parents=True, exist_ok=True)
for stem, (headline, body) in A.items():
    (OUT / f"{stem}.txt").write_text(f"{headline}\n\n{body}\n", encoding="utf-8")
with open(OUT.parent / "distractors-gold.jsonl", "w") as fh:
    for cluster, qid, question, answers, answerable, doc, evidence in Q:
        if doc:
            assert evidence in A[doc][1], (qid, evidence)
            assert any(a in A[doc][1] for a in answers), (qid, answers)
        split = "dev" if cluster % 2 else "test"
        follow_up = isinstance(question, list)
        item = {"id": qid, ("turns" if follow_up else "question"): question, "answers": answers,
                "answerable": answerable, "gold_docs": [f"{doc}.txt"] if doc else [],
                "evidence": [evidence] if evidence else [],
                "category": "multi-turn" if follow_up else "fact" if answerable else "near-miss", "split": split}
        fh.write(json.dumps(item) + "\n")
print(len(A), "articles,", len(Q), "questions,", sum(1 for x in Q if not x[4]), "unanswerable")
